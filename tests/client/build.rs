//! Generates the client from the repository's `openapi.json`, exactly as a
//! consumer would: no edits to the spec or to the generated code.

use std::{env, fs, path::Path};

fn main() {
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json");
    println!("cargo:rerun-if-changed={}", spec_path.display());
    let text = fs::read_to_string(&spec_path).expect("openapi.json is readable");
    let spec: openapiv3::OpenAPI = serde_json::from_str(&text).expect("openapi.json is an OpenAPI 3.0 document");
    let tokens = progenitor::Generator::default().generate_tokens(&spec).expect("progenitor accepts the spec");
    let file: syn::File = syn::parse2(tokens).expect("progenitor emits valid Rust");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("client.rs");
    fs::write(out, prettyplease::unparse(&file)).expect("OUT_DIR is writable");
}
