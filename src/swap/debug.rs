//! The debug view: every detected face's box and landmarks drawn over the plate, the chosen
//! faces in green and the others in red, so a compositor sees what the swap sees.

use crate::face::Landmarks;
use crate::{Frame, Rgba};

const CHOSEN: Rgba = [0.1, 1.0, 0.2, 1.0];
const OTHER: Rgba = [1.0, 0.15, 0.1, 1.0];
const LANDMARK: Rgba = [1.0, 0.9, 0.1, 1.0];

fn put(frame: &mut Frame, x: i64, y: i64, colour: Rgba) {
    if x >= 0 && y >= 0 && (x as usize) < frame.width() && (y as usize) < frame.height() {
        frame.set_pixel(x as usize, y as usize, colour);
    }
}

/// A rectangle outline `thickness` px wide.
fn rectangle(frame: &mut Frame, b: [f32; 4], thickness: i64, colour: Rgba) {
    let [x0, y0, x1, y1] = b.map(|v| v.round() as i64);
    for t in 0..thickness {
        for x in x0..=x1 {
            put(frame, x, y0 + t, colour);
            put(frame, x, y1 - t, colour);
        }
        for y in y0..=y1 {
            put(frame, x0 + t, y, colour);
            put(frame, x1 - t, y, colour);
        }
    }
}

fn dot(frame: &mut Frame, (x, y): (f64, f64), radius: i64, colour: Rgba) {
    // Landmarks use pixel centres at +0.5.
    let (cx, cy) = ((x - 0.5).round() as i64, (y - 0.5).round() as i64);
    for dy in -radius..=radius {
        for dx in -radius..=radius {
            if dx * dx + dy * dy <= radius * radius {
                put(frame, cx + dx, cy + dy, colour);
            }
        }
    }
}

/// Draws each face over `frame`; `chosen[i]` marks the faces the swap applies to.
pub fn draw(frame: &mut Frame, faces: &[([f32; 4], Landmarks)], chosen: &[bool]) {
    let scale = (frame.width().max(frame.height()) as f32 / 1000.0).max(1.0);
    let thickness = (2.0 * scale).round() as i64;
    let radius = (3.0 * scale).round() as i64;
    for (i, (bbox, landmarks)) in faces.iter().enumerate() {
        let colour = if chosen.get(i).copied().unwrap_or(false) {
            CHOSEN
        } else {
            OTHER
        };
        rectangle(frame, *bbox, thickness, colour);
        for p in landmarks.points() {
            dot(frame, *p, radius, LANDMARK);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_boxes_in_the_chosen_colours_and_landmark_dots() {
        let mut frame = Frame::new(100, 80);
        let landmarks = Landmarks::new([
            (30.5, 30.5),
            (50.5, 30.5),
            (40.5, 40.5),
            (32.5, 50.5),
            (48.5, 50.5),
        ]);
        draw(
            &mut frame,
            &[
                ([20.0, 20.0, 60.0, 60.0], landmarks),
                ([70.0, 10.0, 90.0, 30.0], landmarks),
            ],
            &[true, false],
        );
        assert_eq!(frame.pixel(20, 40), CHOSEN);
        assert_eq!(frame.pixel(90, 20), OTHER);
        assert_eq!(frame.pixel(40, 40), LANDMARK);
        assert_eq!(
            frame.pixel(5, 5),
            [0.0; 4],
            "nothing drawn away from the faces"
        );
    }
}
