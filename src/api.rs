//! The HTTP surface: one `#[OpenApi]` group per resource under `/api/v1`,
//! the spec at `/openapi.json`, Swagger UI at `/docs`.
//!
//! Imports `db` (types and `DbError`), never `codegen` or `tokio_postgres`.

mod auth;
mod body;
mod client_address;
pub mod error;
mod files;
pub mod health;
mod json;
mod json_object;
mod metrics;
mod password_reset;
mod request_id;
mod route_table;
mod rule_text;
mod security;
mod sessions;
mod timestamp;
mod users;

use poem::{Endpoint, EndpointExt, IntoResponse, Route, endpoint::make_sync, http::header, web::Html};
use poem_openapi::{OpenApiService, Tags};

use crate::state::AppState;

pub const TITLE: &str = "ReViewPoint API";

#[derive(Tags)]
#[oai(rename_all = "lowercase")]
pub enum ApiTags {
    /// Registration, login, sessions and the current user.
    Auth,
    /// Your account.
    Users,
    /// Metadata of your uploaded documents.
    Files,
    /// Liveness of the service and its database.
    Health,
}

type Apis = (
    auth::AuthApi,
    password_reset::PasswordResetApi,
    sessions::SessionsApi,
    users::UsersApi,
    files::FilesApi,
    health::HealthApi,
    health::ProbesApi,
);

fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            auth::AuthApi,
            password_reset::PasswordResetApi,
            sessions::SessionsApi,
            users::UsersApi,
            files::FilesApi,
            health::HealthApi,
            health::ProbesApi,
        ),
        TITLE,
        env!("CARGO_PKG_VERSION"),
    )
    .server(poem_openapi::ServerObject::new("/").description("The server this document was fetched from"))
    .description(
        "Backend core of ReViewPoint, a platform for reviewing uploaded documents. \
             Errors are RFC 9457 `application/problem+json`; a 422 lists each invalid field in `errors`; \
             a 503 carries `Retry-After`. Protected operations take `Authorization: Bearer <access_token>` \
             from `POST /api/v1/auth/login`; the token lasts 15 minutes (by default) and names its session. \
             `POST /api/v1/auth/refresh` renews it with the single-use `refresh_token`, and ending the \
             session (logout, a password change or reset) makes both answer 401. A forgotten password is reset \
             through a single-use link mailed by `POST /api/v1/auth/password-reset`. Timestamps are RFC 3339 in UTC. \
             Send `X-Request-Id` (1 to 64 characters of `A-Z a-z 0-9 . _ : -`) to name a request in our logs; \
             every response echoes it, or a generated id, and a 5xx body repeats it as `request_id`.",
    )
}

/// The OpenAPI document, exactly as served at `/openapi.json` and checked in as `openapi.json`.
pub fn spec() -> String {
    let mut spec: serde_json::Value = serde_json::from_str(&service().spec()).expect("poem-openapi writes JSON");
    normalize(&mut spec);
    declare_public_operations(&mut spec);
    close_request_bodies(&mut spec);
    document_request_id(&mut spec);
    let mut spec = serde_json::to_string_pretty(&spec).expect("a JSON value serializes");
    spec.push('\n');
    spec
}

/// Two spellings poem-openapi chooses that client generators handle badly:
/// the media type `application/json; charset=utf-8` (some generators only
/// recognise `application/json` and drop the schema) and upper-cased header
/// names (`LOCATION` becomes a field name). Both mean the same on the wire.
fn normalize(value: &mut serde_json::Value) {
    let serde_json::Value::Object(object) = value else {
        if let serde_json::Value::Array(items) = value {
            items.iter_mut().for_each(normalize);
        }
        return;
    };
    for (key, renamed) in [("content", media_type as fn(&str) -> String), ("headers", header_name)] {
        if let Some(serde_json::Value::Object(entries)) = object.get_mut(key) {
            *entries = std::mem::take(entries).into_iter().map(|(name, v)| (renamed(&name), v)).collect();
        }
    }
    object.values_mut().for_each(normalize);
}

/// `security: []` on the operations that need no token, so the spec says
/// "public" explicitly instead of leaving it to the reader (poem-openapi omits it).
fn declare_public_operations(spec: &mut serde_json::Value) {
    for operation in operations_mut(spec) {
        if let Some(operation) = operation.as_object_mut() {
            operation.entry("security").or_insert_with(|| serde_json::json!([]));
        }
    }
}

/// `additionalProperties: false` on every request body schema: the server
/// answers 422 for a field it does not know (`body.rs`), and poem-openapi's
/// `deny_unknown_fields` does not say so in the spec.
fn close_request_bodies(spec: &mut serde_json::Value) {
    let bodies: Vec<String> = operations_mut(spec)
        .filter_map(|operation| operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str())
        .filter_map(|reference| reference.strip_prefix("#/components/schemas/"))
        .map(str::to_owned)
        .collect();
    for name in bodies {
        if let Some(schema) = spec["components"]["schemas"][&name].as_object_mut() {
            schema.insert("additionalProperties".to_owned(), serde_json::Value::Bool(false));
        }
    }
}

/// The `X-Request-Id` header on every response (`request_id.rs` sets it in a
/// middleware, outside poem-openapi's view). The request side is described in
/// the API's description rather than as a parameter of every operation: any
/// value is accepted (an unusable one is replaced), so a schema could only
/// mislead fuzzers, and generated clients would gain an argument everywhere.
fn document_request_id(spec: &mut serde_json::Value) {
    let responses = operations_mut(spec)
        .filter_map(|operation| operation["responses"].as_object_mut())
        .flat_map(|responses| responses.values_mut());
    for response in responses {
        let header = serde_json::json!({
            "description": "This request's id: the `X-Request-Id` sent, when it is 1 to 64 characters of \
                `A-Z a-z 0-9 . _ : -`, otherwise a generated one. Every log line of the request carries it.",
            "required": true,
            "schema": { "type": "string" },
        });
        // Indexing a missing `headers` makes it an empty object first.
        response["headers"][request_id::HEADER] = header;
    }
}

/// Every operation object of the spec, under every path and method.
fn operations_mut(spec: &mut serde_json::Value) -> impl Iterator<Item = &mut serde_json::Value> {
    spec["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|methods| methods.as_object_mut())
        .flat_map(|methods| methods.values_mut())
}

fn media_type(name: &str) -> String {
    name.split(';').next().unwrap_or(name).trim().to_owned()
}

fn header_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let lower = part.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Swagger UI, fully embedded (no CDN), showing exactly the served spec and
/// keeping the authorization across reloads.
fn swagger_ui_html(spec: &str) -> String {
    // poem-openapi's Swagger UI page takes no configuration; its template is
    // stable and these two substitutions are all we change, so patching beats
    // shipping a second copy of swagger-ui. A test asserts both reach the page.
    let service = service();
    service.swagger_ui_html().replacen(&service.spec(), spec.trim_end(), 1).replacen(
        "deepLinking: true,",
        "deepLinking: true,\n        persistAuthorization: true,",
        1,
    )
}

pub fn routes(state: AppState) -> impl Endpoint {
    assemble(state, true).0
}

/// The API without `/metrics`, and `/metrics` alone, for a listener of its
/// own (`REVIEWPOINT_METRICS_BIND`): scrapes then never compete with
/// requests, and the figures need not be reachable from outside.
pub fn routes_and_metrics(state: AppState) -> (impl Endpoint, impl Endpoint) {
    assemble(state, false)
}

fn assemble(state: AppState, scrape_with_the_api: bool) -> (impl Endpoint, impl Endpoint) {
    let spec = spec();
    let docs = swagger_ui_html(&spec);
    let table = route_table::RouteTable::from_spec(&spec);
    let metrics = metrics::Metrics::new(table.clone());
    let scrape = || {
        let (metrics, pool) = (metrics.clone(), state.db.writer().clone());
        make_sync(move |_| metrics.render(&pool).with_content_type(metrics::CONTENT_TYPE))
    };
    let mut api = Route::new()
        .nest("/", service())
        .at("/openapi.json", make_sync(move |_| spec.clone().with_content_type("application/json")))
        .at("/docs", make_sync(move |_| Html(docs.clone())));
    if scrape_with_the_api {
        api = api.at("/metrics", scrape());
    }
    let apart =
        Route::new().at("/metrics", scrape()).catch_all_error(|error| async move { error::problem_from_poem(error) });
    let api = api
        .data(state)
        // A panicking handler answers a generic 500 instead of dropping the connection.
        .with(poem::middleware::CatchPanic::new().with_handler(|_| {
            tracing::error!("a handler panicked");
            poem::error::ResponseError::as_response(&error::ApiError::Internal)
        }))
        .catch_all_error(|error| async move { error::problem_from_poem(error) })
        .around(move |endpoint, request| table.clone().allow_on_405(endpoint, request))
        .with(poem::middleware::SetHeader::new().overriding(header::CACHE_CONTROL, "no-store"))
        .around(metrics::record)
        .data(metrics)
        .around(request_id::assign);
    (api, apart)
}
