//! What makes the summary readable by a screen reader (PDF/UA-1, ISO 14289-1): every piece of
//! text in the page is marked content with its own number (MCID), the structure tree says what
//! each piece is (the title, the section headings, the table of labels and values, the
//! paragraphs) in reading order, and the rules are artifacts a reader skips. The catalog says
//! the document is tagged (`/MarkInfo`), in which language, to show its title rather than its
//! file name, and the XMP metadata identify it as PDF/UA-1.
//!
//! printpdf writes the marked-content operators (`BDC`/`EMC`); the structure tree, which
//! printpdf has no model for, is added here to the lopdf document printpdf produces.

use lopdf::{Dictionary, Object, ObjectId, Stream};
use printpdf::{DictItem, Op};
use time::OffsetDateTime;

use crate::ClientError;

/// A structure element's child: a piece of the page's content (its MCID), or another element.
enum Kid {
    Content(i64),
    Element(usize),
}

struct Element {
    /// A standard structure type (ISO 32000-1 §14.8.4): Document, H1, H2, P, Table, TR, TH, TD.
    kind: &'static str,
    parent: Option<usize>,
    kids: Vec<Kid>,
}

/// The structure tree as the page is drawn.
pub struct Tags {
    elements: Vec<Element>,
    next_mcid: i64,
}

/// The root element, the whole document.
pub const DOCUMENT: usize = 0;

impl Tags {
    pub fn new() -> Self {
        Self {
            elements: vec![Element {
                kind: "Document",
                parent: None,
                kids: Vec::new(),
            }],
            next_mcid: 0,
        }
    }

    /// A new element of `kind`, the last child of `parent`.
    pub fn open(&mut self, parent: usize, kind: &'static str) -> usize {
        let id = self.elements.len();
        self.elements.push(Element {
            kind,
            parent: Some(parent),
            kids: Vec::new(),
        });
        self.elements[parent].kids.push(Kid::Element(id));
        id
    }

    /// The operator that starts the next piece of content, which belongs to `element`; the
    /// piece ends with `Op::EndMarkedContent`.
    pub fn begin(&mut self, element: usize) -> Op {
        let mcid = self.next_mcid;
        self.next_mcid += 1;
        self.elements[element].kids.push(Kid::Content(mcid));
        let mut properties = std::collections::BTreeMap::new();
        properties.insert("MCID".to_owned(), DictItem::Int(mcid));
        Op::BeginMarkedContentWithProperties {
            tag: self.elements[element].kind.to_owned(),
            properties: DictItem::Dict { map: properties },
        }
    }

    /// Writes the structure tree into `pdf` (one page, `page`), and marks the catalog.
    pub fn write(&self, pdf: &mut lopdf::Document, page: ObjectId) -> Result<(), ClientError> {
        let ids: Vec<ObjectId> = self.elements.iter().map(|_| pdf.new_object_id()).collect();
        let root = pdf.new_object_id();
        // The parent tree: for the page's content, the element each MCID belongs to.
        let mut owners = vec![Object::Null; usize::try_from(self.next_mcid).unwrap_or(0)];
        for (i, element) in self.elements.iter().enumerate() {
            let mut kids = Vec::new();
            for kid in &element.kids {
                match kid {
                    Kid::Content(mcid) => {
                        kids.push(Object::Integer(*mcid));
                        if let Some(owner) =
                            usize::try_from(*mcid).ok().and_then(|m| owners.get_mut(m))
                        {
                            *owner = Object::Reference(ids[i]);
                        }
                    }
                    Kid::Element(child) => kids.push(Object::Reference(ids[*child])),
                }
            }
            let mut dict = Dictionary::new();
            dict.set("Type", Object::Name(b"StructElem".to_vec()));
            dict.set("S", Object::Name(element.kind.as_bytes().to_vec()));
            dict.set(
                "P",
                Object::Reference(element.parent.map_or(root, |p| ids[p])),
            );
            dict.set("Pg", Object::Reference(page));
            dict.set("K", Object::Array(kids));
            if element.kind == "TH" {
                // A label heads its row (the value beside it).
                let mut scope = Dictionary::new();
                scope.set("O", Object::Name(b"Table".to_vec()));
                scope.set("Scope", Object::Name(b"Row".to_vec()));
                dict.set("A", Object::Dictionary(scope));
            }
            pdf.objects.insert(ids[i], Object::Dictionary(dict));
        }
        let mut parent_tree = Dictionary::new();
        parent_tree.set("Nums", vec![Object::Integer(0), Object::Array(owners)]);
        let mut tree = Dictionary::new();
        tree.set("Type", Object::Name(b"StructTreeRoot".to_vec()));
        tree.set("K", Object::Reference(ids[DOCUMENT]));
        tree.set("ParentTree", Object::Dictionary(parent_tree));
        tree.set("ParentTreeNextKey", Object::Integer(1));
        pdf.objects.insert(root, Object::Dictionary(tree));

        let page_dict = pdf
            .get_object_mut(page)
            .and_then(Object::as_dict_mut)
            .map_err(|e| ClientError::Pdf(e.to_string()))?;
        page_dict.set("StructParents", Object::Integer(0));
        // Tab order follows the structure (PDF/UA-1 §7.18.3).
        page_dict.set("Tabs", Object::Name(b"S".to_vec()));

        let catalog = super::trailer_dict(pdf, b"Root")?;
        catalog.set("StructTreeRoot", Object::Reference(root));
        let mut mark_info = Dictionary::new();
        mark_info.set("Marked", Object::Boolean(true));
        catalog.set("MarkInfo", Object::Dictionary(mark_info));
        let mut viewer = Dictionary::new();
        viewer.set("DisplayDocTitle", Object::Boolean(true));
        catalog.set("ViewerPreferences", Object::Dictionary(viewer));
        Ok(())
    }
}

/// The start of an artifact (a rule line): drawn, not read.
pub fn artifact() -> Op {
    Op::BeginMarkedContent {
        tag: "Artifact".into(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// XMP's date: "2023-08-22T14:09:36+02:00".
fn xmp_date(at: OffsetDateTime) -> String {
    let offset = at.offset();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
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

/// The document's XMP metadata: its title, language, maker and dates, and the PDF/UA-1
/// identification (`pdfuaid:part`), as an uncompressed metadata stream in the catalog.
pub fn add_metadata(
    pdf: &mut lopdf::Document,
    title: &str,
    language: &str,
    at: OffsetDateTime,
) -> Result<(), ClientError> {
    let date = xmp_date(at);
    let title = escape(title);
    let producer = format!("Espace Pro {}", env!("CARGO_PKG_VERSION"));
    let xmp = format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <pdfuaid:part>1</pdfuaid:part>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>{producer}</pdf:Producer>
   <xmp:CreatorTool>Espace Pro</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{feff}',
    );
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Metadata".to_vec()));
    dict.set("Subtype", Object::Name(b"XML".to_vec()));
    // Left uncompressed, as XMP readers expect to find it.
    let stream = Stream::new(dict, xmp.into_bytes()).with_compression(false);
    let id = pdf.add_object(stream);
    super::trailer_dict(pdf, b"Root")?.set("Metadata", Object::Reference(id));
    Ok(())
}
