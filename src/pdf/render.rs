//! Layout of a result document on A4 with printpdf (see `docs/pdf.md`):
//!
//! ```text
//!  header (kk / ru)                         small, centred
//!  TITLE kk                                 bold, centred
//!  title ru                                 bold, centred
//!  (subtitle kk / ru)   [ТЕЛНҰСҚА / ДУБЛИКАТ] (mark, framed, red)
//!  ───────────────────────────────────────────────
//!  label kk (bold)        │ value
//!  label ru (grey)        │ (wrapped)
//!  ───────────────────────────────────────────────   … one row per template field
//!  list heading kk / ru, then 1. 2. 3. …            (refusal reasons, documents)
//!  footer kk, footer ru, legal equivalence kk, ru   small
//!  ═══════════════════════════════════════════════   bottom band on every page:
//!  [QR]  document id · verification URL · issued at · signed note      page n/N
//! ```
//!
//! The printpdf output is then tidied with lopdf: streams compressed, PDF 1.7,
//! an Info dictionary with UTF-16 title and `/RuqsatDocumentId`.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Object, StringFormat};
use printpdf::{
    Color, CurTransMat, DictItem, FontId, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfPage,
    PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rgb, TextItem, WindingOrder,
};

use super::fonts::{self, Face, Fonts};
use super::template::{Bilingual, CommonText, Template, Templates};
use super::{qr, DocumentData, PdfError};

// Geometry, in points (1 mm = 2.8346 pt).
const PAGE_W: f32 = 595.276;
const PAGE_H: f32 = 841.89;
const MARGIN_L: f32 = 56.7;
const MARGIN_R: f32 = 42.5;
const MARGIN_T: f32 = 42.5;
const CONTENT_W: f32 = PAGE_W - MARGIN_L - MARGIN_R;
/// Bottom band: QR code and verification text.
const BAND_BOTTOM: f32 = 28.0;
const QR_SIZE: f32 = 76.0;
const BAND_TOP: f32 = 124.0;
/// Lowest baseline area for the flowing content.
const CONTENT_BOTTOM: f32 = BAND_TOP + 10.0;
const LABEL_W: f32 = 178.0;
const COL_GAP: f32 = 12.0;
const VALUE_W: f32 = CONTENT_W - LABEL_W - COL_GAP;

const BLACK: (f32, f32, f32) = (0.0, 0.0, 0.0);
const GREY: (f32, f32, f32) = (0.35, 0.35, 0.38);
const RULE: (f32, f32, f32) = (0.78, 0.78, 0.80);
const BLUE: (f32, f32, f32) = (0.05, 0.22, 0.45);
const RED: (f32, f32, f32) = (0.72, 0.08, 0.08);

/// The local time shown on documents (G-49: stored in UTC, shown in local time).
const DISPLAY_TZ: chrono_tz::Tz = chrono_tz::Asia::Almaty;

fn rgb((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

/// `v` rounded to 1/100 pt, so the content stream prints it in a few digits
/// (e.g. `765.93` rather than `765.92505`).
fn r2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

fn pt(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    }
}

fn rect_ring(x: f32, y: f32, w: f32, h: f32) -> PolygonRing {
    PolygonRing {
        points: vec![pt(x, y), pt(x + w, y), pt(x + w, y + h), pt(x, y + h)],
    }
}

/// `issued_at` as printed: local date and time with the UTC offset.
pub fn display_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&DISPLAY_TZ)
        .format("%d.%m.%Y %H:%M (UTC%:z)")
        .to_string()
}

/// Greedy line breaking by words; a word wider than the line is broken by
/// characters. Explicit `\n` starts a new line.
fn wrap(fonts: &Fonts, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if fonts.width(face, &candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if fonts.width(face, word, size) <= width {
                line = word.to_string();
                continue;
            }
            for c in word.chars() {
                line.push(c);
                if fonts.width(face, &line, size) > width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// Text style.
#[derive(Clone, Copy)]
struct Style {
    face: Face,
    size: f32,
    color: (f32, f32, f32),
}

impl Style {
    const fn new(face: Face, size: f32, color: (f32, f32, f32)) -> Self {
        Self { face, size, color }
    }
    fn leading(&self) -> f32 {
        self.size * 1.22
    }
}

const S_HEADER: Style = Style::new(Face::Regular, 8.5, GREY);
const S_TITLE_KK: Style = Style::new(Face::Bold, 13.5, BLACK);
const S_TITLE_RU: Style = Style::new(Face::Bold, 12.0, BLACK);
const S_SUBTITLE: Style = Style::new(Face::Regular, 10.5, BLACK);
const S_MARK: Style = Style::new(Face::Bold, 20.0, RED);
const S_LABEL_KK: Style = Style::new(Face::Bold, 8.0, BLACK);
const S_LABEL_RU: Style = Style::new(Face::Regular, 7.5, GREY);
const S_VALUE: Style = Style::new(Face::Regular, 9.5, BLACK);
const S_HEADING: Style = Style::new(Face::Bold, 9.5, BLACK);
const S_FOOTER: Style = Style::new(Face::Regular, 7.5, BLACK);
const S_LEGAL: Style = Style::new(Face::Regular, 7.0, GREY);
const S_BAND_LABEL: Style = Style::new(Face::Regular, 7.0, GREY);
const S_BAND_ID: Style = Style::new(Face::Bold, 9.0, BLACK);
const S_BAND_URL: Style = Style::new(Face::Regular, 8.0, BLUE);
const S_BAND_NOTE: Style = Style::new(Face::Regular, 6.8, GREY);

/// Builds the pages' operations. Fonts are referred to by two placeholder ids,
/// renamed to subset-tagged names once all text is known.
struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
    used: [BTreeSet<char>; 2],
}

const REGULAR_ID: &str = "R";
const BOLD_ID: &str = "B";

fn font_id(face: Face) -> FontId {
    FontId(match face {
        Face::Regular => REGULAR_ID.to_string(),
        Face::Bold => BOLD_ID.to_string(),
    })
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts) -> Self {
        Self {
            fonts,
            pages: vec![Vec::new()],
            y: PAGE_H - MARGIN_T,
            used: [BTreeSet::new(), BTreeSet::new()],
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        // `pages` is never empty: created with one page, only ever pushed to.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_H - MARGIN_T;
    }

    /// Starts a new page unless `h` points still fit above the bottom band.
    fn ensure(&mut self, h: f32) {
        if self.y - h < CONTENT_BOTTOM && self.y < PAGE_H - MARGIN_T - 1.0 {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, baseline: f32, style: Style, s: &str) {
        if s.is_empty() {
            return;
        }
        let idx = match style.face {
            Face::Regular => 0,
            Face::Bold => 1,
        };
        self.used[idx].extend(s.chars());
        let font = font_id(style.face);
        let ops = self.ops();
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFillColor {
            col: rgb(style.color),
        });
        ops.push(Op::SetFontSize {
            size: Pt(style.size),
            font: font.clone(),
        });
        ops.push(Op::SetTextCursor {
            pos: Point {
                x: Pt(r2(x)),
                y: Pt(r2(baseline)),
            },
        });
        ops.push(Op::WriteText {
            items: vec![TextItem::Text(s.to_string())],
            font,
        });
        ops.push(Op::EndTextSection);
    }

    fn rule(&mut self, x0: f32, x1: f32, y: f32, width: f32, color: (f32, f32, f32)) {
        let ops = self.ops();
        ops.push(Op::SetOutlineColor { col: rgb(color) });
        ops.push(Op::SetOutlineThickness { pt: Pt(width) });
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![pt(r2(x0), r2(y)), pt(r2(x1), r2(y))],
                is_closed: false,
            },
        });
    }

    fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32, color: (f32, f32, f32)) {
        let ops = self.ops();
        ops.push(Op::SetOutlineColor { col: rgb(color) });
        ops.push(Op::SetOutlineThickness { pt: Pt(width) });
        ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![rect_ring(x, y, w, h)],
                mode: PaintMode::Stroke,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    fn wrap(&self, style: Style, text: &str, width: f32) -> Vec<String> {
        wrap(self.fonts, style.face, style.size, text, width)
    }

    /// A flowing paragraph at `x` (left-aligned) or centred in the content width.
    fn paragraph(&mut self, style: Style, text: &str, x: f32, width: f32, centred: bool) {
        for line in self.wrap(style, text, width) {
            self.ensure(style.leading());
            self.y -= style.leading();
            let lx = if centred {
                MARGIN_L + (CONTENT_W - self.fonts.width(style.face, &line, style.size)) / 2.0
            } else {
                x
            };
            self.text_at(lx, self.y + style.size * 0.25, style, &line);
        }
    }

    fn gap(&mut self, h: f32) {
        self.y -= h;
    }

    fn heading(&mut self, common: &CommonText, tpl: &Template) {
        let header = format!("{} · {}", common.header.kk, common.header.ru);
        self.paragraph(S_HEADER, &header, MARGIN_L, CONTENT_W, true);
        self.gap(10.0);
        self.paragraph(S_TITLE_KK, &tpl.title.kk, MARGIN_L, CONTENT_W, true);
        self.gap(2.0);
        self.paragraph(S_TITLE_RU, &tpl.title.ru, MARGIN_L, CONTENT_W, true);
        if let Some(sub) = &tpl.subtitle {
            self.gap(2.0);
            let s = format!("({} / {})", sub.kk, sub.ru);
            self.paragraph(S_SUBTITLE, &s, MARGIN_L, CONTENT_W, true);
        }
        if let Some(mark) = &tpl.mark {
            self.mark(mark);
        }
        self.gap(12.0);
    }

    /// The framed stamp (ТЕЛНҰСҚА / ДУБЛИКАТ).
    fn mark(&mut self, mark: &Bilingual) {
        let s = format!("{} / {}", mark.kk, mark.ru);
        let w = self.fonts.width(S_MARK.face, &s, S_MARK.size);
        let (pad_x, pad_y) = (12.0, 7.0);
        let h = S_MARK.size + 2.0 * pad_y;
        self.gap(10.0);
        self.ensure(h);
        let x = MARGIN_L + (CONTENT_W - w) / 2.0;
        self.y -= h;
        self.frame(x - pad_x, self.y, w + 2.0 * pad_x, h, 2.0, RED);
        self.text_at(x, self.y + pad_y + S_MARK.size * 0.22, S_MARK, &s);
    }

    /// One labelled row of the field table.
    fn field_row(&mut self, label: (&str, &str), value: &str) {
        let kk = self.wrap(S_LABEL_KK, label.0, LABEL_W);
        let ru = self.wrap(S_LABEL_RU, label.1, LABEL_W);
        let values = self.wrap(S_VALUE, value, VALUE_W);
        let label_h =
            kk.len() as f32 * S_LABEL_KK.leading() + ru.len() as f32 * S_LABEL_RU.leading();
        let value_h = values.len() as f32 * S_VALUE.leading();
        let (pad_top, pad_bottom) = (4.0, 3.5);
        let row_h = label_h.max(value_h) + pad_top + pad_bottom;
        let body = PAGE_H - MARGIN_T - CONTENT_BOTTOM;
        if row_h <= body {
            self.ensure(row_h);
        } else {
            self.ensure(label_h + pad_top + pad_bottom);
        }
        let top = self.y - pad_top;
        let mut ly = top;
        for l in &kk {
            ly -= S_LABEL_KK.leading();
            self.text_at(MARGIN_L, ly + 2.0, S_LABEL_KK, l);
        }
        for l in &ru {
            ly -= S_LABEL_RU.leading();
            self.text_at(MARGIN_L, ly + 2.0, S_LABEL_RU, l);
        }
        let vx = MARGIN_L + LABEL_W + COL_GAP;
        let mut vy = top;
        for l in &values {
            if vy - S_VALUE.leading() < CONTENT_BOTTOM {
                // A value longer than a page continues on the next one.
                self.new_page();
                vy = self.y - pad_top;
                ly = vy;
            }
            vy -= S_VALUE.leading();
            self.text_at(vx, vy + 2.5, S_VALUE, l);
        }
        self.y = ly.min(vy) - pad_bottom;
        let y = self.y;
        self.rule(MARGIN_L, PAGE_W - MARGIN_R, y, 0.4, RULE);
    }

    fn items(&mut self, heading: (&str, &str), items: &[String]) {
        self.gap(12.0);
        self.ensure(S_HEADING.leading() * 2.0 + S_VALUE.leading());
        let h = format!("{} / {}", heading.0, heading.1);
        self.paragraph(S_HEADING, &h, MARGIN_L, CONTENT_W, false);
        self.gap(3.0);
        let indent = 18.0;
        for (i, item) in items.iter().filter(|i| !i.trim().is_empty()).enumerate() {
            let lines = self.wrap(S_VALUE, item, CONTENT_W - indent);
            for (j, line) in lines.iter().enumerate() {
                self.ensure(S_VALUE.leading());
                self.y -= S_VALUE.leading();
                if j == 0 {
                    self.text_at(MARGIN_L, self.y + 2.5, S_VALUE, &format!("{}.", i + 1));
                }
                self.text_at(MARGIN_L + indent, self.y + 2.5, S_VALUE, line);
            }
            self.gap(3.0);
        }
    }

    /// Height of a left-aligned paragraph over the content width.
    fn paragraph_height(&self, style: Style, text: &str) -> f32 {
        self.wrap(style, text, CONTENT_W).len() as f32 * style.leading()
    }

    /// Template footer and the legal equivalence note, each kept on one page.
    fn footer(&mut self, common: &CommonText, tpl: &Template) {
        self.gap(12.0);
        let mut blocks = Vec::new();
        if let Some(f) = &tpl.footer {
            blocks.push((S_FOOTER, f));
        }
        blocks.push((S_LEGAL, &common.legal));
        for (style, text) in blocks {
            let h = self.paragraph_height(style, &text.kk)
                + 3.0
                + self.paragraph_height(style, &text.ru);
            self.ensure(h);
            self.paragraph(style, &text.kk, MARGIN_L, CONTENT_W, false);
            self.gap(3.0);
            self.paragraph(style, &text.ru, MARGIN_L, CONTENT_W, false);
            self.gap(7.0);
        }
    }

    /// The bottom band of page `index` (0-based) of `count`.
    fn band(
        &mut self,
        index: usize,
        count: usize,
        common: &CommonText,
        data: &DocumentData,
        code: &qr::QrRuns,
    ) {
        let saved = self.pages.len();
        // Draw on page `index` by temporarily making it the last one.
        let tail = self.pages.split_off(index + 1);
        let y_top = BAND_TOP;
        self.rule(MARGIN_L, PAGE_W - MARGIN_R, y_top, 0.8, BLACK);

        // QR code: dark runs as filled rectangles; the band keeps a quiet zone. The
        // matrix scales one unit to one module with the origin at the code's
        // bottom-left corner, so each run is `col row len 1 re` in small integers
        // (a quarter of the bytes of the same rectangles as paths in points).
        let module = QR_SIZE / code.width as f32;
        let int = |v: usize| DictItem::Int(i64::try_from(v).unwrap_or(i64::MAX));
        let ops = self.ops();
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::SetTransformationMatrix {
            matrix: CurTransMat::Raw([module, 0.0, 0.0, module, MARGIN_L, BAND_BOTTOM]),
        });
        ops.push(Op::SetFillColor { col: rgb(BLACK) });
        for &(row, col, len) in &code.runs {
            ops.push(Op::Unknown {
                key: "re".to_string(),
                value: vec![int(col), int(code.width - 1 - row), int(len), int(1)],
            });
        }
        ops.push(Op::Unknown {
            key: "f".to_string(),
            value: Vec::new(),
        });
        ops.push(Op::RestoreGraphicsState);

        let tx = MARGIN_L + QR_SIZE + 16.0;
        let tw = PAGE_W - MARGIN_R - tx;
        let mut y = y_top - 4.0;
        let mut line = |l: &mut Self, style: Style, text: &str| {
            for part in l.wrap(style, text, tw) {
                y -= style.leading();
                l.text_at(tx, y + style.size * 0.2, style, &part);
            }
        };
        let label = |b: &Bilingual| format!("{} / {}:", b.kk, b.ru);
        line(self, S_BAND_LABEL, &label(&common.document_id));
        line(self, S_BAND_ID, &data.document_id);
        line(self, S_BAND_LABEL, &label(&common.verify_url));
        line(self, S_BAND_URL, &data.verify_url);
        let issued = format!(
            "{} {}",
            label(&common.issued_at),
            display_time(data.issued_at)
        );
        line(self, S_BAND_LABEL, &issued);
        line(self, S_BAND_NOTE, &common.signed_note.kk);
        line(self, S_BAND_NOTE, &common.signed_note.ru);

        let page = format!(
            "{} / {} {}/{}",
            common.page.kk,
            common.page.ru,
            index + 1,
            count
        );
        let w = self
            .fonts
            .width(S_BAND_LABEL.face, &page, S_BAND_LABEL.size);
        self.text_at(PAGE_W - MARGIN_R - w, BAND_BOTTOM, S_BAND_LABEL, &page);
        self.pages.extend(tail);
        debug_assert_eq!(saved, self.pages.len());
    }
}

/// Pages' operations and the characters used per face (regular, bold).
type LaidOut = (Vec<Vec<Op>>, [BTreeSet<char>; 2]);

/// Lays out `data` with template `tpl`; returns the pages' operations and the
/// characters used per face (regular, bold).
fn layout(
    fonts: &Fonts,
    common: &CommonText,
    tpl: &Template,
    data: &DocumentData,
) -> Result<LaidOut, PdfError> {
    let code = qr::encode(&data.verify_url)?;
    let mut l = Layout::new(fonts);
    l.heading(common, tpl);
    let top = l.y;
    l.rule(MARGIN_L, PAGE_W - MARGIN_R, top, 0.8, BLACK);
    for f in &tpl.fields {
        let Some(v) = data.fields.get(&f.key).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        l.field_row((&f.kk, &f.ru), v.trim());
    }
    if let Some(spec) = &tpl.items {
        if data.items.iter().any(|i| !i.trim().is_empty()) {
            l.items((&spec.kk, &spec.ru), &data.items);
        }
    }
    l.footer(common, tpl);
    let count = l.pages.len();
    for i in 0..count {
        l.band(i, count, common, data, &code);
    }
    Ok((l.pages, l.used))
}

fn lo_err(e: impl std::fmt::Display) -> PdfError {
    PdfError::Render(e.to_string())
}

/// Renders `data` as an unsigned PDF with the compiled-in templates (validated first, see
/// [`super::validate`]).
pub fn render(data: &DocumentData) -> Result<Vec<u8>, PdfError> {
    render_with(super::templates()?, data)
}

/// Renders `data` as an unsigned PDF with the wording of `templates`.
pub fn render_with(templates: &Templates, data: &DocumentData) -> Result<Vec<u8>, PdfError> {
    let tpl = super::validate_with(templates, data)?;
    let common = &templates.common;
    let raw = fonts::with_fonts(|fonts| -> Result<Vec<u8>, PdfError> {
        let (mut pages, used) = layout(fonts, common, tpl, data)?;
        // Subset-tagged font names (e.g. "QKXBMF+DejaVuSans"), also the resource names.
        let ids = [
            FontId(format!(
                "{}+{}",
                fonts::subset_tag(&used[0]),
                fonts::REGULAR_NAME
            )),
            FontId(format!(
                "{}+{}",
                fonts::subset_tag(&used[1]),
                fonts::BOLD_NAME
            )),
        ];
        for op in pages.iter_mut().flatten() {
            if let Op::SetFontSize { font, .. } | Op::WriteText { font, .. } = op {
                *font = if font.0 == BOLD_ID {
                    ids[1].clone()
                } else {
                    ids[0].clone()
                };
            }
        }
        let mut doc = PdfDocument::new(&data.kind);
        // Move the parsed faces in (no copy of ~1.5 MB per document) and back out.
        let mut faces = [
            std::mem::take(&mut fonts.regular),
            std::mem::take(&mut fonts.bold),
        ];
        for (i, face) in faces.iter_mut().enumerate() {
            if !used[i].is_empty() {
                doc.resources
                    .fonts
                    .map
                    .insert(ids[i].clone(), std::mem::take(face));
            }
        }
        doc.pages = pages
            .into_iter()
            .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
            .collect();
        let opts = PdfSaveOptions {
            optimize: false,
            subset_fonts: true,
            // Lets the `re` / `f` operators of the QR code through (Op::Unknown).
            secure: false,
            image_optimization: None,
        };
        let mut warnings = Vec::new();
        let bytes = doc.save(&opts, &mut warnings);
        for (i, face) in faces.iter_mut().enumerate() {
            if let Some(f) = doc.resources.fonts.map.remove(&ids[i]) {
                *face = f;
            }
        }
        let [regular, bold] = faces;
        fonts.regular = regular;
        fonts.bold = bold;
        if bytes.is_empty() {
            return Err(PdfError::Render(format!(
                "printpdf wrote nothing: {warnings:?}"
            )));
        }
        Ok(bytes)
    })?;
    finish(&raw, data, tpl)
}

/// Deflates every unfiltered stream at the default level (6). The font programs are
/// de-hinted subsets of about 16 and 20 KB: level 6 makes them 25 % smaller than
/// flate2's fast level (15.3 KB instead of 20.7 KB) for about half a millisecond per
/// document; level 9 saves only a few more bytes (see `docs/pdf.md`).
fn compress_streams(doc: &mut lopdf::Document) -> Result<(), PdfError> {
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;
    for obj in doc.objects.values_mut() {
        let Object::Stream(stream) = obj else {
            continue;
        };
        if stream.dict.has(b"Filter") || stream.content.len() < 64 {
            continue;
        }
        let level = Compression::default();
        let mut enc = ZlibEncoder::new(Vec::with_capacity(stream.content.len() / 2), level);
        enc.write_all(&stream.content).map_err(lo_err)?;
        let packed = enc.finish().map_err(lo_err)?;
        stream
            .dict
            .set("Filter", Object::Name(b"FlateDecode".to_vec()));
        stream.set_content(packed);
    }
    Ok(())
}

/// Tidies printpdf's output: PDF 1.7, compressed streams (printpdf leaves content
/// and font streams raw), a proper Info dictionary.
fn finish(raw: &[u8], data: &DocumentData, tpl: &Template) -> Result<Vec<u8>, PdfError> {
    let mut doc = lopdf::Document::load_mem(raw).map_err(lo_err)?;
    doc.version = "1.7".to_string();
    let date = Object::String(
        super::pades::pdf_date(data.issued_at).into_bytes(),
        StringFormat::Literal,
    );
    let mut info = Dictionary::new();
    info.set(
        "Title",
        lopdf::text_string(&format!("{} / {}", tpl.title.kk, tpl.title.ru)),
    );
    info.set("Subject", lopdf::text_string(&data.document_id));
    info.set("Creator", lopdf::text_string("Ruqsat"));
    info.set(
        "Producer",
        lopdf::text_string(&format!(
            "Ruqsat {} (printpdf, lopdf)",
            env!("CARGO_PKG_VERSION")
        )),
    );
    info.set("CreationDate", date.clone());
    info.set("ModDate", date);
    info.set("RuqsatDocumentId", lopdf::text_string(&data.document_id));
    info.set("RuqsatDocumentKind", lopdf::text_string(&data.kind));
    match doc.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => {
            doc.objects.insert(id, Object::Dictionary(info));
        }
        Err(_) => {
            let id = doc.add_object(info);
            doc.trailer.set("Info", id);
        }
    }
    compress_streams(&mut doc)?;
    let mut out = Vec::with_capacity(raw.len() / 2);
    doc.save_to(&mut out).map_err(lo_err)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_words_and_long_tokens() {
        fonts::with_fonts(|f| {
            let lines = wrap(f, Face::Regular, 10.0, "Әйгерім Нұрланова Қазақстан", 60.0);
            assert!(lines.len() >= 2, "{lines:?}");
            assert_eq!(lines.join(" "), "Әйгерім Нұрланова Қазақстан");
            let url = "https://ruqsat.example.kz/verify/Zx8Qm2Lr7VtN4pKc9WbHsA";
            let lines = wrap(f, Face::Regular, 10.0, url, 80.0);
            assert!(lines.len() > 1);
            assert_eq!(lines.concat(), url);
            for l in &lines {
                assert!(f.width(Face::Regular, l, 10.0) <= 80.0, "{l}");
            }
            assert_eq!(wrap(f, Face::Regular, 10.0, "a\nb", 100.0), ["a", "b"]);
        });
    }

    #[test]
    fn display_time_is_local_with_offset() {
        let t = DateTime::parse_from_rfc3339("2026-01-15T06:30:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let s = display_time(t);
        assert!(s.starts_with("15.01.2026 1"), "{s}");
        assert!(s.contains("(UTC+0"), "{s}");
    }

    #[test]
    fn renders_every_kind_small_with_id_in_info() {
        for kind in super::super::KINDS {
            let data = crate::demo::pdf_samples::sample_document(kind, "Zx8Qm2Lr7VtN4pKc9WbHsA");
            let pdf = render(&data).expect(kind);
            assert!(pdf.starts_with(b"%PDF-1.7"), "{kind}");
            assert!(pdf.len() < 150_000, "{kind}: {} bytes", pdf.len());
            let doc = lopdf::Document::load_mem(&pdf).expect("reparse");
            let info = doc
                .trailer
                .get(b"Info")
                .and_then(Object::as_reference)
                .and_then(|id| doc.get_dictionary(id))
                .expect("info");
            let id = info.get(b"RuqsatDocumentId").expect("id");
            assert_eq!(id.as_str().expect("str"), b"Zx8Qm2Lr7VtN4pKc9WbHsA");
        }
    }

    #[test]
    fn long_lists_flow_onto_more_pages() {
        let mut data =
            crate::demo::pdf_samples::sample_document("refusal", "Zx8Qm2Lr7VtN4pKc9WbHsA");
        data.items = (1..=60)
            .map(|i| format!("Негіз {i}: құжат толық емес / Основание {i}: документ неполон"))
            .collect();
        let pdf = render(&data).expect("render");
        let doc = lopdf::Document::load_mem(&pdf).expect("reparse");
        assert!(doc.get_pages().len() >= 2);
    }
}
