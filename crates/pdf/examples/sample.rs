//! Writes the sample evaluation report (150 findings) to the path given as
//! the first argument, default `kawal-pdf-sample.pdf`.
//!
//! Run: `cargo run -p kawal-pdf --example sample -- /tmp/kawal-pdf-sample.pdf`

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "kawal-pdf-sample.pdf".into());
    let doc = common::report(150, 100);
    let start = std::time::Instant::now();
    let pdf = match kawal_pdf::render(&doc) {
        Ok(pdf) => pdf,
        Err(e) => panic!("render: {e}"),
    };
    let elapsed = start.elapsed();
    if let Err(e) = std::fs::write(&path, &pdf) {
        panic!("write {path}: {e}");
    }
    println!(
        "{path}: {} bytes in {:.1} ms",
        pdf.len(),
        elapsed.as_secs_f64() * 1000.0
    );
}
