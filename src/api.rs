//! The HTTP surface: one `#[OpenApi]` group per resource under `/api/v1`,
//! the spec at `/openapi.json`, Swagger UI at `/docs`.
//!
//! Imports `db` (types and `DbError`), never `codegen` or `tokio_postgres`.

pub mod error;
pub mod health;

use poem::{Endpoint, EndpointExt, IntoResponse, Route, endpoint::make_sync, http::header, web::Html};
use poem_openapi::{OpenApiService, Tags};

use crate::startup::AppState;

pub const TITLE: &str = "ReViewPoint API";

#[derive(Tags)]
pub enum ApiTags {
    /// Liveness of the service and its database.
    Health,
}

type Apis = health::HealthApi;

fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(health::HealthApi, TITLE, env!("CARGO_PKG_VERSION")).description(
        "Backend core of ReViewPoint, a platform for reviewing uploaded documents. \
             Errors are RFC 9457 `application/problem+json`; a 503 carries `Retry-After`.",
    )
}

/// The OpenAPI document, exactly as served at `/openapi.json` and checked in as `openapi.json`.
pub fn spec() -> String {
    let mut spec = service().spec();
    spec.push('\n');
    spec
}

/// Swagger UI, fully embedded (no CDN), keeping the authorization across reloads.
fn swagger_ui_html() -> String {
    // poem-openapi's Swagger UI page takes no configuration; its template is
    // stable and this one option is all we add, so patching beats shipping a
    // second copy of swagger-ui. A test asserts the option reaches the page.
    service().swagger_ui_html().replacen(
        "deepLinking: true,",
        "deepLinking: true,\n        persistAuthorization: true,",
        1,
    )
}

pub fn routes(state: AppState) -> impl Endpoint {
    let spec = spec();
    let docs = swagger_ui_html();
    Route::new()
        .nest("/", service())
        .at("/openapi.json", make_sync(move |_| spec.clone().with_content_type("application/json")))
        .at("/docs", make_sync(move |_| Html(docs.clone())))
        .data(state)
        .catch_all_error(|error| async move { error::problem_from_poem(error) })
        .with(poem::middleware::SetHeader::new().overriding(header::CACHE_CONTROL, "no-store"))
}
