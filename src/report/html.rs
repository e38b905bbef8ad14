//! A self-contained HTML page around an SVG figure and its table: no scripts, no external
//! resources, so it opens from disk in any browser.

/// The page: `title`, a paragraph `about` (plain text), the inline `svg`, and `table`
/// (plain text, shown preformatted).
pub fn page(title: &str, about: &str, svg: &str, table: &str) -> String {
    // An inline <svg> must not carry an XML declaration.
    let svg = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{t}</title>\n<style>\n\
         body {{ font-family: sans-serif; margin: 24px; color: #222; background: #fff; }}\n\
         figure {{ margin: 0; }}\n\
         figure svg {{ max-width: 100%; height: auto; border: 1px solid #ddd; }}\n\
         pre {{ font-size: 12px; background: #f6f6f6; padding: 12px; overflow-x: auto; }}\n\
         </style>\n</head>\n<body>\n<h1>{t}</h1>\n<p>{a}</p>\n<figure>\n{svg}\n</figure>\n\
         <h2>Per-layer numbers</h2>\n<pre>{tab}</pre>\n</body>\n</html>\n",
        t = escape(title),
        a = escape(about),
        tab = escape(table),
    )
}

/// Escapes text for HTML element content.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}
