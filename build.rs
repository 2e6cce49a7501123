//! The catalog and the templates are compiled in (`include_dir!`), which cargo does not
//! track file by file: a new or changed data file must rebuild the crate all the same.
fn main() {
    println!("cargo:rerun-if-changed=catalog");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=migrations");
}
