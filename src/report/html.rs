//! The agency report as one self-contained HTML file (handlebars templates in `reports/`).
//!
//! Scan results reach the template only as data and are HTML-escaped by handlebars; the only
//! unescaped values are the SVG charts, which `report::chart` builds with every text escaped.

use super::view::View;
use handlebars::Handlebars;

/// The report template.
pub const TEMPLATE: &str = include_str!("../../reports/evaluation.html.hbs");
/// Its stylesheet, inlined.
pub const STYLE: &str = include_str!("../../reports/style.css");

/// The HTML report could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("templat laporan HTML / HTML report template: {0}")]
pub struct HtmlError(String);

/// A renderer with the templates compiled once.
pub struct Renderer {
    hb: Handlebars<'static>,
}

impl Renderer {
    /// Compiles the built-in template.
    pub fn new() -> Result<Renderer, HtmlError> {
        Renderer::with_template(TEMPLATE, STYLE)
    }

    /// Compiles a custom template and stylesheet (same data contract as the built-in one).
    pub fn with_template(template: &str, style: &str) -> Result<Renderer, HtmlError> {
        let mut hb = Handlebars::new();
        // A misspelt field must fail loudly, not render as an empty string.
        hb.set_strict_mode(true);
        hb.register_template_string("report", template)
            .map_err(|e| HtmlError(e.to_string()))?;
        hb.register_partial("style", style)
            .map_err(|e| HtmlError(e.to_string()))?;
        Ok(Renderer { hb })
    }

    /// Renders the view.
    pub fn render(&self, view: &View) -> Result<String, HtmlError> {
        self.hb
            .render("report", view)
            .map_err(|e| HtmlError(e.to_string()))
    }
}
