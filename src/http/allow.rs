//! The `Allow` header of a 405: the methods each route pattern accepts, read from the OpenAPI
//! document, so the document stays the one list of what each path takes. The composition root
//! builds [`Allowed`] from the document and registers it as app data; this module must not
//! import the document itself (it sits below every feature).

use std::collections::HashMap;

use utoipa::openapi::{OpenApi, PathItem};

/// Route pattern (`/api/v1/users/{id}`) to `Allow` value (`GET, PATCH, DELETE`).
#[derive(Debug, Default)]
pub struct Allowed(HashMap<String, String>);

impl Allowed {
    pub fn from_document(doc: &OpenApi) -> Self {
        Self(doc.paths.paths.iter().map(|(path, item)| (path.clone(), methods(item).join(", "))).collect())
    }

    /// `None` for a pattern the document does not list.
    pub fn get(&self, pattern: &str) -> Option<&str> {
        self.0.get(pattern).map(String::as_str)
    }
}

fn methods(item: &PathItem) -> Vec<&'static str> {
    let all = [
        ("GET", &item.get),
        ("POST", &item.post),
        ("PUT", &item.put),
        ("PATCH", &item.patch),
        ("DELETE", &item.delete),
        ("HEAD", &item.head),
        ("OPTIONS", &item.options),
        ("TRACE", &item.trace),
    ];
    all.into_iter().filter(|(_, op)| op.is_some()).map(|(name, _)| name).collect()
}
