//! Effect icons, drawn from code so that no binary art lives in the repository.

use image::{Rgba, RgbaImage};

const SIZE: u32 = 128;

/// Accent colours, one per entry of [`crate::PLUGINS`].
const ACCENTS: [[u8; 3]; 3] = [[232, 93, 63], [63, 160, 232], [140, 96, 220]];

fn accent(index: usize) -> [u8; 3] {
    ACCENTS[index % ACCENTS.len()]
}

/// A 128 px icon: a face silhouette on the effect's accent colour.
pub fn icon_png(index: usize) -> RgbaImage {
    let [r, g, b] = accent(index);
    let c = SIZE as f32 / 2.0;
    RgbaImage::from_fn(SIZE, SIZE, |x, y| {
        let (px, py) = (x as f32 + 0.5 - c, y as f32 + 0.5 - c);
        let head = (px / 38.0).powi(2) + ((py - 4.0) / 48.0).powi(2) <= 1.0;
        let eye = |ex: f32| (px - ex).powi(2) + (py + 8.0).powi(2) <= 36.0;
        let mouth = py > 20.0 && py < 26.0 && px.abs() < 16.0;
        let background = (px.abs().max(py.abs())) <= 60.0;
        if head && !(eye(-14.0) || eye(14.0) || mouth) {
            Rgba([250, 246, 240, 255])
        } else if background {
            Rgba([r, g, b, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    })
}

/// The same icon as SVG, for hosts that prefer vector icons.
pub fn icon_svg(index: usize, label: &str) -> String {
    let [r, g, b] = accent(index);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
<title>{label}</title>
<rect x="4" y="4" width="120" height="120" rx="10" fill="rgb({r},{g},{b})"/>
<ellipse cx="64" cy="68" rx="38" ry="48" fill="#faf6f0"/>
<circle cx="50" cy="56" r="6" fill="rgb({r},{g},{b})"/>
<circle cx="78" cy="56" r="6" fill="rgb({r},{g},{b})"/>
<rect x="48" y="84" width="32" height="6" fill="rgb({r},{g},{b})"/>
</svg>
"##
    )
}
