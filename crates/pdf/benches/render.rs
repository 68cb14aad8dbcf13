//! Rendering a 150-finding evaluation report (cover, summary callouts, bar
//! chart, 150 findings with evidence, 100-row appendix table) to PDF bytes.
//!
//! Run: `cargo bench -p kawal-pdf --bench render`
//! (`report_150_findings_archival` is the PDF/A-2b + PDF/UA-1 variant reports and letters use.)

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    // Report the size of the output alongside divan's timings.
    let doc = common::report(150, 100);
    match kawal_pdf::render(&doc) {
        Ok(pdf) => {
            // Page objects are written uncompressed: count `/Type /Page` but not `/Type /Pages`.
            let raw = String::from_utf8_lossy(&pdf);
            let pages = raw.matches("/Type /Page").count() - raw.matches("/Type /Pages").count();
            println!(
                "150-finding report: {} bytes ({:.0} KiB), {pages} pages",
                pdf.len(),
                pdf.len() as f64 / 1024.0
            );
        }
        Err(e) => panic!("render: {e}"),
    }
    divan::main();
}

#[divan::bench(sample_count = 20)]
fn report_150_findings(bencher: divan::Bencher) {
    let doc = common::report(150, 100);
    bencher.bench_local(|| kawal_pdf::render(divan::black_box(&doc)));
}

/// The same report as the PDF/A-2b + PDF/UA-1 file that is archived.
#[divan::bench(sample_count = 20)]
fn report_150_findings_archival(bencher: divan::Bencher) {
    let doc = common::report(150, 100);
    let issued = kawal_pdf::Timestamp::new((2026, 12, 6), (9, 30, 0), 7 * 60).ok();
    bencher.bench_local(|| kawal_pdf::render_archival(divan::black_box(&doc), issued));
}

#[divan::bench(sample_count = 50)]
fn report_10_findings(bencher: divan::Bencher) {
    let doc = common::report(10, 20);
    bencher.bench_local(|| kawal_pdf::render(divan::black_box(&doc)));
}
