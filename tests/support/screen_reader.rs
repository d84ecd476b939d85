//! What a screen reader hears: the app's accessible tree as Orca gets it on Linux, through
//! AT-SPI (the app started with the bridge on, `NO_AT_BRIDGE=0`), read by
//! `tests/support/accessible_tree.py` with Debian's python3-pyatspi.
//!
//! axe-core reads the DOM; this reads what WebKit hands to assistive technology, where a name
//! computed from an id, a missing heading or a silent error shows.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::app::Ui;

/// The app's environment entry that turns the AT-SPI bridge on (the suite turns it off).
pub fn bridge_on() -> (&'static str, String) {
    ("NO_AT_BRIDGE", "0".into())
}

/// One accessible object of the page.
#[derive(Debug)]
pub struct Node {
    pub role: String,
    pub name: String,
    pub states: Vec<String>,
    pub attributes: HashMap<String, String>,
}

impl Node {
    fn has(&self, state: &str) -> bool {
        self.states.iter().any(|s| s == state)
    }

    fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }

    fn id(&self) -> &str {
        self.attribute("id").unwrap_or_default()
    }

    /// In a live region: its own `aria-live`, or a container's.
    fn live(&self) -> bool {
        ["live", "container-live"]
            .iter()
            .any(|k| matches!(self.attribute(k), Some("polite" | "assertive")))
            || self.alert()
    }

    /// `role="alert"` (WebKit gives it AT-SPI's notification role, and `xml-roles:alert`).
    fn alert(&self) -> bool {
        self.role == "alert" || self.attribute("xml-roles") == Some("alert")
    }

    fn describe(&self) -> String {
        format!("{} {:?} (#{})", self.role, self.name, self.id())
    }
}

/// The window as a screen reader gets it.
#[derive(Debug)]
pub struct Heard {
    /// The window's title (the frame's name).
    pub frame: String,
    /// The page's name (`document.title`).
    pub document: String,
    /// Every object of the page, in reading order, the page first.
    pub nodes: Vec<Node>,
}

fn read_tree(title: &str) -> Result<Heard, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/accessible_tree.py");
    let out = Command::new("/usr/bin/python3")
        .arg(&script)
        .args(["espace-pro", title])
        .output()
        .map_err(|e| {
            format!("/usr/bin/python3 (cargo xtask test installs python3-pyatspi): {e}")
        })?;
    let tree: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "{e}: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    if let Some(error) = tree["error"].as_str() {
        return Err(error.to_owned());
    }
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let nodes = tree["nodes"]
        .as_array()
        .ok_or("no nodes")?
        .iter()
        .map(|n| Node {
            role: text(&n["role"]),
            name: text(&n["name"]),
            states: n["states"]
                .as_array()
                .map(|s| s.iter().map(text).collect())
                .unwrap_or_default(),
            attributes: n["attributes"]
                .as_object()
                .map(|a| a.iter().map(|(k, v)| (k.clone(), text(v))).collect())
                .unwrap_or_default(),
        })
        .collect();
    Ok(Heard {
        frame: text(&tree["frame"]),
        document: text(&tree["document"]),
        nodes,
    })
}

/// The tree once it has caught up with the screen shown (its page named as `document.title`
/// says, and `ready` true of it); the last tree read if it never does within 10 s.
pub async fn hear_when(ui: &Ui, ready: impl Fn(&Heard) -> bool) -> Heard {
    let title =
        ui.c.execute("return document.title")
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        // The app may not be on the accessibility bus yet: asked again until the deadline.
        match read_tree(&title) {
            Ok(heard) => {
                let caught_up = heard.document == title && heard.frame == title && ready(&heard);
                if caught_up || Instant::now() > deadline {
                    return heard;
                }
            }
            Err(e) if Instant::now() > deadline => panic!("the accessible tree: {e}"),
            Err(_) => {}
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn hear(ui: &Ui) -> Heard {
    hear_when(ui, |_| true).await
}

/// An element's id (with a dash, as the app names them), a text key, `undefined` or an unfilled
/// `{placeholder}` in a name: what a person should never hear.
fn machine_words(name: &str, ids: &[&str]) -> Option<String> {
    if let Some(id) = ids.iter().find(|id| name.contains(*id)) {
        return Some(format!("the element id {id}"));
    }
    if name.contains("undefined") || name.contains("null") {
        return Some("undefined".into());
    }
    if let Some(open) = name.find('{')
        && name[open..].contains('}')
    {
        return Some("a placeholder".into());
    }
    let key_like = name.contains('.')
        && !name.contains(' ')
        && !name.contains('@')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
    key_like.then(|| "a text key".into())
}

impl Heard {
    /// What is wrong on this screen for a screen reader user, one line each:
    /// - a focusable object without a name in words, or a name holding an element id, a text
    ///   key, `undefined` or a `{placeholder}`;
    /// - not exactly one level-1 heading, or the window's title not naming it ("<h1> – Espace
    ///   Pro", the frame and the page alike);
    /// - a field's message or the strength level outside a live region.
    pub fn problems(&self, screen: &str) -> Vec<String> {
        let mut found = Vec::new();
        // A tree that holds nothing would pass anything.
        if self.nodes.iter().filter(|n| n.has("focusable")).count() < 3 {
            found.push(format!("the tree holds only {} objects", self.nodes.len()));
        }
        let ids: Vec<&str> = self
            .nodes
            .iter()
            .map(Node::id)
            .filter(|id| id.contains('-'))
            .collect();
        for node in &self.nodes {
            if node.has("focusable") && !node.name.chars().any(char::is_alphabetic) {
                found.push(format!("a focusable {} has no name", node.describe()));
            }
            if let Some(what) = machine_words(&node.name, &ids) {
                found.push(format!("{} holds {what}", node.describe()));
            }
            let id = node.id();
            if (id.ends_with("-error") || id.ends_with("-level")) && !node.live() {
                found.push(format!("{} is not in a live region", node.describe()));
            }
        }
        let headings: Vec<&Node> = self
            .nodes
            .iter()
            .filter(|n| n.role == "heading" && n.attribute("level") == Some("1"))
            .collect();
        match headings.as_slice() {
            [h1] => {
                let title = format!("{} – Espace Pro", h1.name);
                if self.document != title || self.frame != title {
                    found.push(format!(
                        "the heading {:?} is not the title: window {:?}, page {:?}",
                        h1.name, self.frame, self.document
                    ));
                }
            }
            _ => found.push(format!(
                "{} level-1 headings: {:?}",
                headings.len(),
                headings.iter().map(|h| &h.name).collect::<Vec<_>>()
            )),
        }
        found
            .into_iter()
            .map(|p| format!("{screen} — {p}"))
            .collect()
    }

    /// The object that has the keyboard's focus.
    pub fn focused(&self) -> Option<&Node> {
        self.nodes.iter().rev().find(|n| n.has("focused"))
    }

    /// Whether the focus is on an alert (the error summary after a refusal).
    pub fn focus_on_alert(&self) -> bool {
        self.focused().is_some_and(Node::alert)
    }
}

/// After a refusal: the error summary is an alert, and it has the focus.
pub async fn assert_alert_focused(ui: &Ui, screen: &str) {
    let heard = hear_when(ui, Heard::focus_on_alert).await;
    assert!(
        heard.focus_on_alert(),
        "{screen}: the focus is on {:?}, not on the error summary (an alert)",
        heard.focused().map(Node::describe)
    );
}
