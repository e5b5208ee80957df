use std::path::Path;

use crate::helpers::TestApp;

const REGENERATE: &str = "regenerate it with `cargo run -q -- openapi > openapi.json`";

fn checked_in() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json")).expect("openapi.json")
}

#[tokio::test]
async fn the_served_spec_equals_the_checked_in_openapi_json() {
    let app = TestApp::spawn().await;

    let response = app.get("/openapi.json").await;

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served = response.text().await.expect("body");
    assert!(served == checked_in(), "openapi.json is stale: {REGENERATE}");
}

#[test]
fn the_openapi_command_prints_the_checked_in_spec_without_a_database() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_reviewpoint"))
        .arg("openapi")
        .env("REVIEWPOINT_DB_URL", "postgresql://nobody@127.0.0.1:1/none")
        .output()
        .expect("run reviewpoint openapi");

    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout) == checked_in(), "openapi.json is stale: {REGENERATE}");
}

#[tokio::test]
async fn swagger_ui_is_self_contained_and_keeps_the_authorization() {
    let app = TestApp::spawn().await;

    let response = app.get("/docs").await;

    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.expect("body");
    assert!(page.contains("SwaggerUIBundle("), "the bundle is inlined");
    assert!(page.contains("persistAuthorization: true"), "authorization survives reloads");
    assert!(page.contains(checked_in().trim_end()), "the page shows exactly the served spec");
    for external in ["src=\"http", "href=\"http", "src='http", "href='http", "@import"] {
        assert!(!page.contains(external), "no asset may come from the network: found {external}");
    }
}

fn spec_json() -> serde_json::Value {
    serde_json::from_str(&checked_in()).expect("openapi.json is JSON")
}

fn operations(spec: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut operations = Vec::new();
    for (path, methods) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            operations.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    operations
}

#[test]
fn every_operation_has_an_id_a_summary_a_tag_and_its_documented_responses() {
    let spec = spec_json();
    let public = [
        "POST /api/v1/auth/register",
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/refresh",
        "POST /api/v1/auth/password-reset",
        "POST /api/v1/auth/password-reset/confirm",
        "GET /api/v1/health",
        "GET /health/live",
        "GET /health/ready",
    ];
    let mut ids = std::collections::HashSet::new();

    for (method, path, operation) in operations(&spec) {
        let name = format!("{method} {path}");
        let id = operation["operationId"].as_str().unwrap_or_default();
        assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}: operationId {id:?}");
        assert!(ids.insert(id.to_owned()), "{name}: duplicate operationId {id}");
        assert!(operation["summary"].as_str().is_some_and(|s| !s.is_empty()), "{name}: summary");
        let tags = operation["tags"].as_array().expect("tags");
        assert!(
            tags.len() == 1 && ["auth", "users", "files", "health"].contains(&tags[0].as_str().unwrap_or_default()),
            "{name}: {tags:?}"
        );

        let responses = operation["responses"].as_object().expect("responses");
        let protected = !public.contains(&name.as_str());
        // The bearer scheme on exactly the protected operations; the others say `security: []`.
        if protected {
            assert_eq!(operation["security"], serde_json::json!([{ "BearerAuth": [] }]), "{name}");
            assert!(responses.contains_key("401"), "{name}: 401");
        } else {
            assert_eq!(operation["security"], serde_json::json!([]), "{name}: explicitly public");
        }
        for (status, response) in responses {
            if status == "201" {
                assert!(response["headers"]["Location"].is_object(), "{name}: 201 has Location");
            }
            if status == "503" {
                assert!(response["headers"]["Retry-After"].is_object(), "{name}: 503 has Retry-After");
            }
            let health_report = ["GET /api/v1/health", "GET /health/ready"].contains(&name.as_str());
            if status.starts_with('4') || status.starts_with('5') && !health_report {
                let content = response["content"].as_object().expect("content");
                assert_eq!(content.keys().collect::<Vec<_>>(), ["application/problem+json"], "{name} {status}");
                assert_eq!(content["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem");
            }
        }
    }
    assert_eq!(ids.len(), 20);
}

#[test]
fn a_property_is_required_exactly_when_it_is_not_optional_and_optional_ones_are_nullable() {
    let spec = spec_json();
    // Omitted when absent rather than null: the only exceptions, documented on the fields.
    let omitted_when_absent = [("Problem", "errors"), ("Problem", "request_id"), ("Health", "replicas")];

    for (name, schema) in spec["components"]["schemas"].as_object().expect("schemas") {
        let Some(properties) = schema["properties"].as_object() else { continue };
        let required: Vec<&str> =
            schema["required"].as_array().map(|r| r.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
        for (property, definition) in properties {
            let nullable = definition["nullable"] == true;
            if required.contains(&property.as_str()) {
                assert!(!nullable, "{name}.{property} is required, so never null");
            } else {
                assert!(
                    nullable || omitted_when_absent.contains(&(name.as_str(), property.as_str())),
                    "{name}.{property} is optional but not nullable"
                );
            }
        }
    }
}

#[test]
fn strings_carry_their_column_widths_and_limit_its_bounds() {
    let spec = spec_json();
    let schemas = &spec["components"]["schemas"];
    for (schema, property, max) in [
        ("User", "email", 255),
        ("Registration", "email", 255),
        ("Registration", "password", 128),
        ("Login", "email", 255),
        ("UserPatch", "email", 255),
        ("UserPatch", "password", 128),
        ("File", "filename", 255),
        ("File", "content_type", 128),
        ("NewFile", "filename", 255),
        ("NewFile", "content_type", 128),
        ("FilePatch", "filename", 255),
        ("FilePatch", "content_type", 128),
    ] {
        assert_eq!(schemas[schema]["properties"][property]["maxLength"], max, "{schema}.{property}");
    }
    assert_eq!(schemas["Registration"]["properties"]["password"]["minLength"], 8);
    let parameters = spec["paths"]["/api/v1/files"]["get"]["parameters"].as_array().expect("parameters");
    let limit = parameters.iter().find(|p| p["name"] == "limit").expect("limit");
    assert_eq!((limit["schema"]["minimum"].as_f64(), limit["schema"]["maximum"].as_f64()), (Some(1.0), Some(100.0)));
}
