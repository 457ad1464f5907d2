//! Lets this crate's own tests and examples find libchconnect at run time when it is installed
//! outside the loader's default paths (a private prefix found through PKG_CONFIG_PATH).
//! `rustc-link-arg` applies only to this package's tests/examples/binaries, never to dependents.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_CHCONNECT_LIBDIR");
    if let Ok(dir) = std::env::var("DEP_CHCONNECT_LIBDIR") {
        let system = ["/lib", "/usr/lib", "/lib64", "/usr/lib64"];
        if !system.iter().any(|s| dir == *s || dir.starts_with(&format!("{s}/"))) {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        }
    }
}
