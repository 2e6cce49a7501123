//! QR code of the verification URL, as vector rectangles (no raster image): each
//! horizontal run of dark modules becomes one filled rectangle, so the code stays
//! sharp at any zoom and costs a few hundred bytes of compressed content.

use qrcode::{Color, EcLevel, QrCode};

use super::PdfError;

/// A QR symbol as runs of dark modules. Row 0 is the top row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrRuns {
    /// Modules per side (without quiet zone).
    pub width: usize,
    /// (row, first column, length) of each horizontal run of dark modules.
    pub runs: Vec<(usize, usize, usize)>,
}

/// Encodes `text` (byte mode, error correction level M: survives ~15 % damage,
/// e.g. a fold or a stamp on a printed copy).
pub fn encode(text: &str) -> Result<QrRuns, PdfError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| PdfError::InvalidData(format!("QR code of {text:?}: {e}")))?;
    let width = code.width();
    let colors = code.to_colors();
    let mut runs = Vec::new();
    for (row, line) in colors.chunks(width).enumerate() {
        let mut col = 0;
        while col < width {
            if line[col] == Color::Dark {
                let start = col;
                while col < width && line[col] == Color::Dark {
                    col += 1;
                }
                runs.push((row, start, col - start));
            } else {
                col += 1;
            }
        }
    }
    Ok(QrRuns { width, runs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_reproduce_the_symbol() {
        let url = "https://ruqsat.example.kz/verify/Zx8Qm2Lr7VtN4pKc9WbHsA";
        let q = encode(url).expect("qr");
        let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).expect("qr");
        let colors = code.to_colors();
        let mut dark = vec![false; q.width * q.width];
        for &(row, col, len) in &q.runs {
            for c in col..col + len {
                dark[row * q.width + c] = true;
            }
        }
        for (i, c) in colors.iter().enumerate() {
            assert_eq!(dark[i], *c == Color::Dark, "module {i}");
        }
        // Finder pattern: the top-left 7x7 starts with a run of 7.
        assert_eq!(q.runs[0], (0, 0, 7));
    }
}
