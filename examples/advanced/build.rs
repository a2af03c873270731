//! Gives this crate's test executables an rpath to libtorch, so `cargo test` runs without
//! LD_LIBRARY_PATH. The plugin library itself needs none: darts-host has libtorch loaded.

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Some(root) = std::env::var_os("LIBTORCH") {
        let lib = std::path::Path::new(&root).join("lib");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
}
