//! Rasterizes an SVG (e.g. the `glorot report` figure) to PNG with resvg, to look at it:
//! `cargo run --release --example render_svg -- report/report.svg report.png`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        return Err("usage: render_svg IN.svg OUT.png".into());
    }
    let text = std::fs::read_to_string(&args[1])?;
    let mut opt = resvg::usvg::Options::default();
    let db = opt.fontdb_mut();
    db.load_system_fonts();
    // fontdb maps `sans-serif` to Arial; fall back to any installed sans face (DejaVu Sans).
    let sans = db
        .faces()
        .find(|f| f.families.iter().any(|(n, _)| n.contains("Sans")))
        .map(|f| f.families[0].0.clone());
    if let Some(family) = sans {
        db.set_sans_serif_family(family);
    }
    let tree = resvg::usvg::Tree::from_str(&text, &opt)?;
    let size = tree.size().to_int_size();
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("empty image")?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap.save_png(&args[2])?;
    Ok(())
}
