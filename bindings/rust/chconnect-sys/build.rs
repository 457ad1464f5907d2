//! Finds libchconnect with pkg-config and generates the raw bindings from the installed
//! `chconnect/chconnect.h` (the same header every binding uses) with bindgen.

use std::env;
use std::path::{Path, PathBuf};

/// Makes the `CHC_*` status/kind macros `i32` so they compare with `chc_status` and
/// `chc_type_kind` (both `int32_t`) without casts; bindgen would pick `u32` otherwise.
#[derive(Debug)]
struct MacroTypes;

impl bindgen::callbacks::ParseCallbacks for MacroTypes {
    fn int_macro(&self, name: &str, _value: i64) -> Option<bindgen::callbacks::IntKind> {
        if name.starts_with("CHC_E_") || name == "CHC_OK" || name.starts_with("CHC_TYPE_") {
            Some(bindgen::callbacks::IntKind::I32)
        } else if name.starts_with("CHC_VERSION_") || name == "CHC_ABI_VERSION" {
            Some(bindgen::callbacks::IntKind::U32)
        } else {
            None
        }
    }
}

fn find_header(include_paths: &[PathBuf]) -> Option<PathBuf> {
    // pkg-config drops -I for system directories, so look there too.
    let system = [Path::new("/usr/local/include"), Path::new("/usr/include")];
    include_paths
        .iter()
        .map(PathBuf::as_path)
        .chain(system)
        .map(|dir| dir.join("chconnect").join("chconnect.h"))
        .find(|h| h.is_file())
}

fn main() {
    let lib = match pkg_config::Config::new().atleast_version("0.1").probe("chconnect") {
        Ok(lib) => lib,
        Err(e) => panic!(
            "chconnect-sys: libchconnect not found with pkg-config ({e}).\n\
             Install the C library (cmake --install ... --prefix PREFIX) and set \
             PKG_CONFIG_PATH=PREFIX/lib/pkgconfig."
        ),
    };
    let header = find_header(&lib.include_paths).unwrap_or_else(|| {
        panic!("chconnect-sys: chconnect/chconnect.h not found in the pkg-config include dirs {:?}", lib.include_paths)
    });
    println!("cargo:rerun-if-changed={}", header.display());
    // Exported to dependents' build scripts as DEP_CHCONNECT_INCLUDE / DEP_CHCONNECT_LIBDIR.
    if let Some(dir) = header.parent().and_then(Path::parent) {
        println!("cargo:include={}", dir.display());
    }
    if let Some(dir) = lib.link_paths.first() {
        println!("cargo:libdir={}", dir.display());
    }

    let mut builder = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .allowlist_function("chc_.*")
        .allowlist_type("chc_.*")
        .allowlist_var("CHC_.*")
        .parse_callbacks(Box::new(MacroTypes))
        .layout_tests(false)
        .merge_extern_blocks(true);
    // Handles are incomplete structs; keep them opaque whatever clang sees.
    for handle in [
        "chc_error",
        "chc_config",
        "chc_client",
        "chc_query",
        "chc_response",
        "chc_type",
        "chc_result",
        "chc_block",
        "chc_column",
        "chc_insert",
        "chc_builder",
    ] {
        builder = builder.opaque_type(handle);
    }
    for dir in &lib.include_paths {
        builder = builder.clang_arg(format!("-I{}", dir.display()));
    }
    let bindings =
        builder.generate().unwrap_or_else(|e| panic!("chconnect-sys: bindgen failed on {}: {e}", header.display()));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    bindings.write_to_file(out.join("bindings.rs")).expect("chconnect-sys: cannot write bindings.rs");
}
