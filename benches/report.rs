//! Benchmark: the agency report of a 150-finding evaluation, HTML and PDF, in-process.
//! Prints the median time of each and the output sizes.
//!
//! Run: `cargo bench --bench report`

#[path = "../tests/common/sample.rs"]
mod sample;

use kawal::i18n::Lang;
use kawal::report::view::{self, Context};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let (report, checklist) = sample::report(150);
    let ctx = Context {
        evaluation_id: Some(1),
        office: "Dinas Komunikasi dan Informatika".into(),
        ..Context::default()
    };
    let renderer = match kawal::report::html::Renderer::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("template: {e}");
            std::process::exit(1);
        }
    };
    let runs = 30;
    let mut html_t = Vec::new();
    let mut pdf_t = Vec::new();
    let mut sizes = (0, 0);
    for _ in 0..runs {
        // Each run includes building the view, as `kawal report` does.
        let t = Instant::now();
        let v = view::build(&report, &checklist, &ctx, Lang::Id);
        let html = renderer.render(&v);
        html_t.push(t.elapsed());
        let t = Instant::now();
        let v = view::build(&report, &checklist, &ctx, Lang::Id);
        let pdf = kawal::report::pdf::render(&v);
        pdf_t.push(t.elapsed());
        match (html, pdf) {
            (Ok(h), Ok(p)) => sizes = (h.len(), p.len()),
            (h, p) => {
                eprintln!("render failed: {:?} {:?}", h.err(), p.err());
                std::process::exit(1);
            }
        }
    }
    println!(
        "report, 150 findings: HTML median {:.1} ms ({} KiB), PDF median {:.1} ms ({} KiB), {runs} runs",
        median(html_t).as_secs_f64() * 1e3,
        sizes.0 / 1024,
        median(pdf_t).as_secs_f64() * 1e3,
        sizes.1 / 1024
    );
}
