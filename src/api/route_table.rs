//! The path templates the service answers and the methods of each, read from
//! the spec: metrics label requests by template (never by raw path), and a
//! 405 names the allowed methods in `Allow` (RFC 9110, section 15.5.6).

use std::sync::Arc;

use poem::{Endpoint, IntoResponse, Request, Response, Result, http::StatusCode};

/// One path template, such as `/api/v1/files/{id}`, and its `Allow` value.
struct Template {
    path: String,
    allow: String,
}

#[derive(Clone)]
pub struct RouteTable(Arc<Vec<Template>>);

impl RouteTable {
    /// The spec's paths, plus the ones served outside it (GET only).
    pub fn from_spec(spec: &str) -> Self {
        let spec: serde_json::Value = serde_json::from_str(spec).expect("the spec is JSON");
        let documented = spec["paths"].as_object().into_iter().flatten().map(|(path, operations)| {
            let methods = operations.as_object().into_iter().flatten().map(|(method, _)| method.to_ascii_uppercase());
            (path.clone(), methods.collect::<Vec<_>>())
        });
        let outside = ["/openapi.json", "/docs", "/metrics"].map(|path| (path.to_owned(), vec!["GET".to_owned()]));
        let templates = documented.chain(outside).map(|(path, mut methods)| {
            // poem answers HEAD wherever it answers GET.
            if methods.iter().any(|method| method == "GET") {
                methods.push("HEAD".to_owned());
            }
            Template { path, allow: methods.join(", ") }
        });
        Self(Arc::new(templates.collect()))
    }

    fn find(&self, path: &str) -> Option<&Template> {
        self.0.iter().find(|template| matches(&template.path, path))
    }

    /// The template `path` falls under, if any.
    pub fn template(&self, path: &str) -> Option<&str> {
        self.find(path).map(|template| template.path.as_str())
    }

    /// Adds `Allow` to every 405.
    pub async fn allow_on_405<E: Endpoint>(self, endpoint: Arc<E>, request: Request) -> Result<Response> {
        let path = request.uri().path().to_owned();
        let mut response = endpoint.call(request).await?.into_response();
        if response.status() == StatusCode::METHOD_NOT_ALLOWED
            && let Some(template) = self.find(&path)
            && let Ok(allow) = template.allow.parse()
        {
            response.headers_mut().insert(poem::http::header::ALLOW, allow);
        }
        Ok(response)
    }
}

/// Whether `path` fits `template`, where a `{parameter}` segment matches any
/// one non-empty segment.
fn matches(template: &str, path: &str) -> bool {
    let (mut template, mut path) = (template.split('/'), path.split('/'));
    loop {
        match (template.next(), path.next()) {
            (None, None) => return true,
            (Some(expected), Some(actual)) if expected == actual => {}
            (Some(expected), Some(actual)) if expected.starts_with('{') && !actual.is_empty() => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_match_one_segment_and_literals_match_themselves() {
        assert!(matches("/api/v1/files/{id}", "/api/v1/files/42"));
        assert!(matches("/api/v1/files/{id}", "/api/v1/files/abc"));
        assert!(!matches("/api/v1/files/{id}", "/api/v1/files/"));
        assert!(!matches("/api/v1/files/{id}", "/api/v1/files/1/2"));
        assert!(matches("/api/v1/files", "/api/v1/files"));
        assert!(!matches("/api/v1/files", "/api/v1/filesx"));
    }

    #[test]
    fn allow_lists_the_documented_methods_and_head_with_get() {
        let table = RouteTable::from_spec(r#"{"paths": {"/a/{id}": {"get": {}, "patch": {}}, "/b": {"post": {}}}}"#);
        assert_eq!(table.find("/a/1").map(|t| t.allow.as_str()), Some("GET, PATCH, HEAD"));
        assert_eq!(table.find("/b").map(|t| t.allow.as_str()), Some("POST"));
        assert_eq!(table.template("/metrics"), Some("/metrics"));
        assert_eq!(table.template("/c"), None);
    }
}
