//! The account summary PDF (SPEC §2.8), laid out like the guide's: A4, real text in an embedded
//! subset of DejaVu Sans (every Latin-script name renders), selectable and searchable, and
//! tagged for screen readers (PDF/UA-1, `tags`).

mod tags;

use espace_pro_contract::api::SummaryData;
use printpdf::{
    Color, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rgb, TextItem,
};
use time::OffsetDateTime;

use crate::ClientError;
use tags::{DOCUMENT, Tags};

const REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const LEFT: f32 = 25.0;
const VALUE_X: f32 = 85.0;
/// Characters per line of a value at 11 pt between `VALUE_X` and the right margin.
const VALUE_CHARS: usize = 52;

/// "document créé le 22/08/2023 à 14h09mn36s", as the guide's footer.
pub fn footer_stamp(at: OffsetDateTime) -> String {
    format!(
        "Votre espace professionnel : document créé le {:02}/{:02}/{:04} à {:02}h{:02}mn{:02}s",
        at.day(),
        u8::from(at.month()),
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Word-wraps `text` to lines of at most `width` characters (longer words are cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word = word.to_owned();
            while word.chars().count() > width {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                lines.push(head);
            }
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        lines.push(line);
    }
    if lines.iter().all(String::is_empty) {
        return vec![String::new()];
    }
    lines.retain(|l| !l.is_empty());
    lines
}

struct Writer {
    ops: Vec<Op>,
    tags: Tags,
    regular: PdfFontHandle,
    bold: PdfFontHandle,
    /// Current baseline, in mm from the bottom of the page.
    y: f32,
}

impl Writer {
    /// A line of text, read as part of the structure element `element`.
    fn text(&mut self, element: usize, x: f32, y: f32, bold: bool, size: f32, text: &str) {
        let begin = self.tags.begin(element);
        self.ops.push(begin);
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFont {
            font: if bold {
                self.bold.clone()
            } else {
                self.regular.clone()
            },
            size: Pt(size),
        });
        self.ops.push(Op::SetTextCursor {
            pos: Point::new(Mm(x), Mm(y)),
        });
        self.ops.push(Op::ShowText {
            items: vec![TextItem::Text(text.to_owned())],
        });
        self.ops.push(Op::EndTextSection);
        self.ops.push(Op::EndMarkedContent);
    }

    /// A paragraph of `lines`, one under the other, `step` mm apart.
    fn paragraph(&mut self, lines: &[&str], size: f32, step: f32) {
        let p = self.tags.open(DOCUMENT, "P");
        for line in lines {
            self.text(p, LEFT, self.y, false, size, line);
            self.y -= step;
        }
    }

    fn color(&mut self, r: f32, g: f32, b: f32) {
        self.ops.push(Op::SetFillColor {
            col: Color::Rgb(Rgb::new(r, g, b, None)),
        });
        self.ops.push(Op::SetOutlineColor {
            col: Color::Rgb(Rgb::new(r, g, b, None)),
        });
    }

    /// A rule across the page: an artifact, drawn and not read.
    fn rule(&mut self, y: f32) {
        self.ops.push(tags::artifact());
        self.ops.push(Op::SetOutlineThickness { pt: Pt(0.8) });
        self.ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint {
                        p: Point::new(Mm(LEFT), Mm(y)),
                        bezier: false,
                    },
                    LinePoint {
                        p: Point::new(Mm(PAGE_W - LEFT), Mm(y)),
                        bezier: false,
                    },
                ],
                is_closed: false,
            },
        });
        self.ops.push(Op::EndMarkedContent);
    }

    /// A section's heading (H2); the section's fields then go in a table of their own.
    fn heading(&mut self, title: &str) {
        self.y -= 6.0;
        self.color(0.0, 0.0, 0.569);
        let h2 = self.tags.open(DOCUMENT, "H2");
        self.text(h2, LEFT, self.y, true, 13.0, title);
        self.rule(self.y - 2.0);
        self.color(0.086, 0.086, 0.086);
        self.y -= 10.0;
    }

    /// A label and its value, a row of `table` (the label its header); an address ("line,
    /// postcode city, country") goes one part a line, as in the guide.
    fn field(&mut self, table: usize, label: &str, value: &str, address: bool) {
        let label_lines = wrap(label, 26);
        let parts: Vec<&str> = if address {
            value.split(", ").collect()
        } else {
            vec![value]
        };
        let value_lines: Vec<String> = parts
            .into_iter()
            .flat_map(|part| wrap(part, VALUE_CHARS))
            .collect();
        let top = self.y;
        let row = self.tags.open(table, "TR");
        let header = self.tags.open(row, "TH");
        for (i, l) in label_lines.iter().enumerate() {
            self.text(header, LEFT, top - i as f32 * 5.5, true, 11.0, l);
        }
        let cell = self.tags.open(row, "TD");
        for (i, v) in value_lines.iter().enumerate() {
            self.text(cell, VALUE_X, top - i as f32 * 5.5, false, 11.0, v);
        }
        self.y = top - label_lines.len().max(value_lines.len()) as f32 * 5.5 - 3.0;
    }
}

/// The dictionary the trailer's `key` refers to (`Root`: the catalog, `Info`: the metadata).
fn trailer_dict<'a>(
    pdf: &'a mut lopdf::Document,
    key: &[u8],
) -> Result<&'a mut lopdf::Dictionary, ClientError> {
    let id = pdf
        .trailer
        .get(key)
        .and_then(lopdf::Object::as_reference)
        .map_err(|e| ClientError::Pdf(e.to_string()))?;
    pdf.get_object_mut(id)
        .and_then(lopdf::Object::as_dict_mut)
        .map_err(|e| ClientError::Pdf(e.to_string()))
}

/// A PDF date (ISO 32000-1 §7.9.4) with its offset: "D:20230822140936+02'00'".
fn pdf_date(at: OffsetDateTime) -> String {
    let offset = at.offset();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}{sign}{:02}'{:02}'",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        offset.whole_hours().unsigned_abs(),
        offset.minutes_past_hour().unsigned_abs(),
    )
}

/// printpdf's own date type, in the same offset.
fn pdf_time(at: OffsetDateTime) -> printpdf::date::DateTime {
    let offset = at.offset();
    printpdf::date::DateTime::new_in_offset(
        printpdf::date::Date {
            year: at.year(),
            month: u8::from(at.month()),
            day: at.day(),
        },
        printpdf::date::Time {
            hour: at.hour(),
            minute: at.minute(),
            second: at.second(),
            millisecond: 0,
        },
        printpdf::date::Offset {
            hours: offset.whole_hours(),
            minutes: offset.minutes_past_hour(),
            seconds: offset.seconds_past_minute(),
            milliseconds: 0,
        },
    )
}

/// The document's title, as a PDF viewer's window shows it.
const TITLE: &str = "Récapitulatif de vos données personnelles";

/// The summary is in French (the guide's document).
pub const LANGUAGE: &str = "fr-FR";

/// Renders the summary; `generated_at` is the time printed in the footer, in the service's
/// time zone.
pub fn summary_pdf(
    data: &SummaryData,
    generated_at: OffsetDateTime,
) -> Result<Vec<u8>, ClientError> {
    let mut warnings = Vec::new();
    let regular = ParsedFont::from_bytes(REGULAR, 0, &mut warnings)
        .ok_or_else(|| ClientError::Pdf("police".into()))?;
    let bold = ParsedFont::from_bytes(BOLD, 0, &mut warnings)
        .ok_or_else(|| ClientError::Pdf("police grasse".into()))?;
    let mut doc = PdfDocument::new(TITLE);
    // The document says what it is, who made it and when (printpdf's defaults: 1 January 1970,
    // no producer).
    let at = pdf_time(generated_at);
    let info = &mut doc.metadata.info;
    info.creation_date = at;
    info.modification_date = at;
    info.metadata_date = at;
    info.subject = "Votre espace professionnel".into();
    info.creator = "Espace Pro".into();
    info.producer = format!("Espace Pro {}", env!("CARGO_PKG_VERSION"));
    let regular = PdfFontHandle::External(doc.add_font(&regular));
    let bold = PdfFontHandle::External(doc.add_font(&bold));
    let mut w = Writer {
        ops: Vec::new(),
        tags: Tags::new(),
        regular,
        bold,
        y: PAGE_H - 30.0,
    };

    w.color(0.0, 0.0, 0.569);
    let title = w.tags.open(DOCUMENT, "H1");
    w.text(title, LEFT, w.y, true, 16.0, "VOTRE ESPACE PROFESSIONNEL —");
    w.y -= 8.0;
    w.text(
        title,
        LEFT,
        w.y,
        true,
        16.0,
        "RÉCAPITULATIF DE VOS DONNÉES PERSONNELLES",
    );
    w.color(0.086, 0.086, 0.086);
    w.y -= 8.0;

    w.heading("Vos coordonnées");
    let table = w.tags.open(DOCUMENT, "Table");
    w.field(table, "Nom :", &data.last_name, false);
    w.field(table, "Prénom :", &data.first_name, false);
    w.field(
        table,
        "N° d'abonné :",
        &data.subscriber_number.to_string(),
        false,
    );
    w.field(table, "Téléphone :", &data.phone, false);
    w.field(
        table,
        "Adresse électronique de connexion :",
        &data.login_email,
        false,
    );
    w.field(table, "Adresse :", &data.address, true);

    w.heading("Votre question/réponse de confiance");
    w.paragraph(
        &["(indispensable en cas de perte de votre mot de passe)"],
        10.0,
        9.0,
    );
    let table = w.tags.open(DOCUMENT, "Table");
    w.field(
        table,
        "Question de confiance :",
        &data.security_question,
        false,
    );
    w.field(
        table,
        "Réponse de confiance :",
        &data.security_answer,
        false,
    );

    w.y -= 4.0;
    w.paragraph(
        &[
            "Conservez ce document en lieu sûr : il vous sera indispensable en cas de perte de",
            "votre mot de passe. Ce numéro d'abonné vous est personnel et doit le rester.",
        ],
        9.5,
        4.5,
    );

    w.rule(22.0);
    w.y = 16.0;
    w.paragraph(&[&footer_stamp(generated_at)], 9.5, 0.0);

    let page = PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), w.ops);
    let options = PdfSaveOptions {
        subset_fonts: true,
        ..Default::default()
    };
    let mut pdf = doc
        .with_pages(vec![page])
        .to_lopdf_document(&options, &mut Vec::new());
    if options.optimize {
        pdf.compress();
    }
    // printpdf says 1.3; the tags need 1.4 (/Lang, /Metadata) and 1.5 (/Tabs).
    pdf.version = "1.7".into();
    // The document's language, for screen readers and text extraction (PDF 1.4 §9.8.1).
    trailer_dict(&mut pdf, b"Root")?.set("Lang", lopdf::Object::string_literal(LANGUAGE));
    let page = *pdf
        .get_pages()
        .get(&1)
        .ok_or_else(|| ClientError::Pdf("page".into()))?;
    w.tags.write(&mut pdf, page)?;
    tags::add_metadata(&mut pdf, TITLE, LANGUAGE, generated_at)?;
    // printpdf writes its dates with a "+00'00'" offset whatever the time's own: write them
    // again, with the offset of the time they give.
    let stamp = lopdf::Object::string_literal(pdf_date(generated_at));
    let info = trailer_dict(&mut pdf, b"Info")?;
    info.set("CreationDate", stamp.clone());
    info.set("ModDate", stamp);
    let mut bytes = Vec::new();
    pdf.save_to(&mut bytes)
        .map_err(|e| ClientError::Pdf(e.to_string()))?;
    if bytes.is_empty() {
        return Err(ClientError::Pdf("document vide".into()));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_cuts_only_long_ones() {
        assert_eq!(wrap("12 rue de Longchamp", 10), ["12 rue de", "Longchamp"]);
        assert_eq!(wrap("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
        assert_eq!(wrap("", 5), [""]);
    }

    /// What a PDF viewer's "Properties" shows, read back with poppler's `pdfinfo`.
    #[test]
    fn the_document_says_what_it_is_who_made_it_and_when() {
        let data = SummaryData {
            civility: "Mme".into(),
            first_name: "Lila".into(),
            last_name: "ROSEMONDE".into(),
            subscriber_number: "20232370000001".parse().unwrap(),
            login_email: "lila@example.fr".into(),
            phone: String::new(),
            address: String::new(),
            security_question: String::new(),
            security_answer: String::new(),
        };
        let at = time::macros::datetime!(2023-08-22 14:09:36 +02:00);
        let pdf = summary_pdf(&data, at).unwrap();
        // The catalog names the document's language.
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("/Lang(fr-FR)") || text.contains("/Lang (fr-FR)"),
            "no /Lang in the catalog"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("summary.pdf");
        std::fs::write(&file, pdf).unwrap();
        let out = std::process::Command::new("pdfinfo")
            .arg("-isodates")
            .arg(&file)
            .output()
            .expect("pdfinfo (poppler-utils; cargo xtask test installs it)");
        let info = String::from_utf8_lossy(&out.stdout);
        let line = |name: &str| {
            info.lines()
                .find(|l| l.starts_with(&format!("{name}:")))
                .map(|l| l[name.len() + 1..].trim().to_owned())
                .unwrap_or_default()
        };
        assert_eq!(
            line("Title"),
            "Récapitulatif de vos données personnelles",
            "{info}"
        );
        assert_eq!(
            line("Producer"),
            format!("Espace Pro {}", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(line("Creator"), "Espace Pro");
        assert_eq!(line("PDF version"), "1.7", "{info}");
        assert_eq!(line("CreationDate"), "2023-08-22T14:09:36+02", "{info}");
        assert_eq!(line("ModDate"), "2023-08-22T14:09:36+02", "{info}");
    }

    /// What a screen reader reads: poppler's `pdfinfo -struct-text` gives the structure tree
    /// with each element's text. The title is the H1, each section an H2, each field a table
    /// row whose header is the label and whose cell is the value, in the page's order; the
    /// rules are not read; the catalog says the document is tagged and PDF/UA-1.
    #[test]
    fn a_screen_reader_reads_every_field_in_order() {
        let data = SummaryData {
            civility: "Mme".into(),
            first_name: "Lila".into(),
            last_name: "ROSEMONDE".into(),
            subscriber_number: "20232370000001".parse().unwrap(),
            login_email: "lila@example.fr".into(),
            phone: "01 23 45 67 89".into(),
            address: "12 rue de Longchamp, 75016 Paris, France".into(),
            security_question: "Le prénom de votre conjoint(e) ?".into(),
            security_answer: "Paul".into(),
        };
        let at = time::macros::datetime!(2023-08-22 14:09:36 +02:00);
        let pdf = summary_pdf(&data, at).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("summary.pdf");
        std::fs::write(&file, &pdf).unwrap();
        let run = |flag: &str| {
            let out = std::process::Command::new("pdfinfo")
                .arg(flag)
                .arg(&file)
                .output()
                .expect("pdfinfo (poppler-utils; cargo xtask test installs it)");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let info = run("-meta");
        assert!(info.contains("<pdfuaid:part>1</pdfuaid:part>"), "{info}");
        let plain = run("-isodates");
        assert!(plain.contains("Tagged:          yes"), "{plain}");
        let tree = run("-struct-text");
        // Each line of the tree: an element's type ("TH (block)", "TH:" when it has attributes,
        // then those on their own lines), or a quoted line of text under it.
        let read: Vec<String> = tree
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('/'))
            .map(|l| {
                l.trim_end_matches(" (block)")
                    .trim_end_matches(':')
                    .to_owned()
            })
            .collect();
        let mut expected: Vec<String> = Vec::new();
        let mut say = |lines: &[&str]| {
            const KINDS: [&str; 8] = ["Document", "H1", "H2", "P", "Table", "TR", "TH", "TD"];
            expected.extend(lines.iter().map(|l| {
                if KINDS.contains(l) {
                    (*l).to_owned()
                } else {
                    format!("\"{l}\"")
                }
            }))
        };
        say(&["Document", "H1"]);
        say(&[
            "VOTRE ESPACE PROFESSIONNEL —",
            "RÉCAPITULATIF DE VOS DONNÉES PERSONNELLES",
        ]);
        say(&["H2", "Vos coordonnées", "Table"]);
        for (label, value) in [
            (&["Nom :"][..], &["ROSEMONDE"][..]),
            (&["Prénom :"], &["Lila"]),
            (&["N° d'abonné :"], &["20232370000001"]),
            (&["Téléphone :"], &["01 23 45 67 89"]),
            (
                &["Adresse électronique de", "connexion :"],
                &["lila@example.fr"],
            ),
            (
                &["Adresse :"],
                &["12 rue de Longchamp", "75016 Paris", "France"],
            ),
        ] {
            say(&["TR", "TH"]);
            say(label);
            say(&["TD"]);
            say(value);
        }
        say(&["H2", "Votre question/réponse de confiance", "P"]);
        say(&[
            "(indispensable en cas de perte de votre mot de passe)",
            "Table",
        ]);
        for (label, value) in [
            (
                "Question de confiance :",
                "Le prénom de votre conjoint(e) ?",
            ),
            ("Réponse de confiance :", "Paul"),
        ] {
            say(&["TR", "TH", label, "TD", value]);
        }
        say(&[
            "P",
            "Conservez ce document en lieu sûr : il vous sera indispensable en cas de perte de",
            "votre mot de passe. Ce numéro d'abonné vous est personnel et doit le rester.",
        ]);
        say(&["P", &footer_stamp(at)]);
        assert_eq!(read, expected, "{tree}");
        // Each label heads its row.
        assert_eq!(tree.matches("/Scope /Row").count(), 8, "{tree}");
    }

    #[test]
    fn footer_is_the_guides() {
        let at = time::macros::datetime!(2023-08-22 14:09:36 UTC);
        assert_eq!(
            footer_stamp(at),
            "Votre espace professionnel : document créé le 22/08/2023 à 14h09mn36s"
        );
    }
}
