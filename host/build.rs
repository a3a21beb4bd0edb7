//! Builds the C shim that holds the variadic OFX suite functions (stable Rust cannot define them).

fn main() {
    println!("cargo:rerun-if-changed=shim/shim.c");
    cc::Build::new()
        .file("shim/shim.c")
        .warnings(true)
        .extra_warnings(true)
        .compile("doppel_host_shim");
}
