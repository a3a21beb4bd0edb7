//! The visible "AI-GENERATED" label the effects can stamp on their output: a plain bitmap font,
//! scaled with the frame, white on a dark box in the bottom-left corner.

use crate::frame::Patch;
use crate::Frame;

pub const LABEL: &str = "AI-GENERATED";

/// 5×7 glyphs, one byte per row, bit 4 = leftmost column.
fn glyph(c: char) -> [u8; 7] {
    match c {
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'D' => [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'N' => [0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        _ => [0; 7],
    }
}

/// Stamps `LABEL` onto `frame` (any encoding: white is 1.0, the box 0.05), alpha set to 1 under it.
pub fn stamp(frame: &mut Frame) {
    label_patch(frame.width(), frame.height()).apply(frame);
}

/// The label for a `w × h` frame as a patch: an opaque box, so it needs no pixels from below.
pub fn label_patch(w: usize, h: usize) -> Patch {
    let cell = (h / 90).max(1); // one font pixel
    let text_w = LABEL.chars().count() * 6 * cell;
    let text_h = 7 * cell;
    let margin = 2 * cell;
    let (x0, y0) = (margin.min(w), h.saturating_sub(text_h + 3 * margin));
    let box_w = (text_w + 2 * margin).min(w - x0);
    let box_h = (text_h + 2 * margin).min(h - y0);
    let mut pixels = Frame::filled(box_w, box_h, [0.05, 0.05, 0.05, 1.0]);
    for (i, c) in LABEL.chars().enumerate() {
        for (gy, bits) in glyph(c).iter().enumerate() {
            for gx in (0..5).filter(|gx| bits & (0x10 >> gx) != 0) {
                for dy in 0..cell {
                    for dx in 0..cell {
                        let x = margin + (i * 6 + gx) * cell + dx;
                        let y = margin + gy * cell + dy;
                        if x < box_w && y < box_h {
                            pixels.set_pixel(x, y, [1.0, 1.0, 1.0, 1.0]);
                        }
                    }
                }
            }
        }
    }
    Patch {
        x: x0,
        y: y0,
        pixels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_is_visible_in_the_bottom_left_and_nowhere_else() {
        let mut frame = Frame::filled(640, 360, [0.5, 0.5, 0.5, 1.0]);
        stamp(&mut frame);
        let white = frame.pixels().iter().filter(|p| p[0] == 1.0).count();
        assert!(white > 100, "the text is drawn ({white} px)");
        assert_eq!(
            frame.pixel(600, 20),
            [0.5, 0.5, 0.5, 1.0],
            "the top right is untouched"
        );
        assert_eq!(
            frame.pixel(10, 347),
            [0.05, 0.05, 0.05, 1.0],
            "the dark box sits bottom-left"
        );
        // Tiny frames must not panic.
        stamp(&mut Frame::new(3, 2));
    }
}
