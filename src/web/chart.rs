//! Charts drawn on the server as SVG: no script, printable, readable without colour (each
//! segment is labelled with its share, and every chart has its data as a table beside it).

use crate::html::escape;

/// One bar of a stacked bar chart: a label and its segments' values, in the chart's order.
pub struct Bar {
    pub label: String,
    pub values: Vec<u64>,
}

/// Fill colours of the segments (WCAG AA contrast with the white labels on them).
const FILLS: [&str; 4] = ["#a4161a", "#7a5a00", "#1d6b2a", "#00558c"];

/// Horizontal stacked bars, each 100 % wide, segments proportional to their values, with
/// a legend of `series`. `title` names the chart for screen readers.
pub fn stacked_bars(title: &str, series: &[String], bars: &[Bar]) -> String {
    let (width, label_w, bar_h, gap) = (720.0_f64, 290.0_f64, 28.0_f64, 14.0_f64);
    let legend_h = 30.0;
    let height = legend_h + bars.len() as f64 * (bar_h + gap) + gap;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" role=\"img\" aria-label=\"{}\" class=\"chart\">",
        escape(title)
    );
    let mut x = 0.0;
    for (i, name) in series.iter().enumerate() {
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"4\" width=\"14\" height=\"14\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"16\" font-size=\"13\" fill=\"#1b1b1b\">{}</text>",
            FILLS[i % FILLS.len()],
            x + 18.0,
            escape(name)
        ));
        x += 40.0 + name.chars().count() as f64 * 7.5;
    }
    for (row, bar) in bars.iter().enumerate() {
        let y = legend_h + gap + row as f64 * (bar_h + gap);
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\" fill=\"#1b1b1b\">{}</text>",
            y + bar_h * 0.65,
            escape(&truncate(&bar.label, 32))
        ));
        let total: u64 = bar.values.iter().sum();
        let span = width - label_w;
        let mut left = label_w;
        if total == 0 {
            svg.push_str(&format!(
                "<rect x=\"{label_w}\" y=\"{y}\" width=\"{span}\" height=\"{bar_h}\" fill=\"#e8eaed\"/>"
            ));
            continue;
        }
        for (i, v) in bar.values.iter().enumerate() {
            let w = span * (*v as f64) / (total as f64);
            if w <= 0.0 {
                continue;
            }
            svg.push_str(&format!(
                "<rect x=\"{left:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bar_h}\" fill=\"{}\"/>",
                FILLS[i % FILLS.len()]
            ));
            if w > 44.0 {
                svg.push_str(&format!(
                    "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\" fill=\"#ffffff\" text-anchor=\"middle\">{:.0} %</text>",
                    left + w / 2.0,
                    y + bar_h * 0.65,
                    100.0 * (*v as f64) / (total as f64)
                ));
            }
            left += w;
        }
    }
    svg.push_str("</svg>");
    svg
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_proportional_and_text_is_escaped() {
        let svg = stacked_bars(
            "Q & A",
            &["no".into(), "yes".into()],
            &[Bar {
                label: "<b>".into(),
                values: vec![1, 3],
            }],
        );
        assert!(svg.contains("aria-label=\"Q &amp; A\""));
        assert!(svg.contains("&lt;b&gt;"));
        assert!(svg.contains("width=\"107.5\""), "{svg}");
        assert!(svg.contains("width=\"322.5\""), "{svg}");
        assert!(svg.contains(">75 %<"));
    }
}
