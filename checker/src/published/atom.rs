//! Atom feeds (RFC 4287): `feeds/status.atom` with every incident (one
//! entry each, its updates newest first) and every announced maintenance
//! occurrence, newest first and bounded; and one feed per check with what
//! concerns it. Text is escaped XHTML, never raw HTML.

use checkup_model::Incident;
use checkup_model::contract::announced::{Announced, Phase};

use super::Inputs;
use super::text::{doc_or_text, iso, xhtml, xml_escape};

/// The most entries a feed carries.
pub const MAX_ENTRIES: usize = 50;

/// One entry before it is written.
struct Entry {
    id: String,
    title: String,
    updated: i64,
    published: i64,
    link: Option<String>,
    /// XHTML elements.
    content: String,
}

/// The feed of everything, or of the checks titled `only`.
pub fn feed(inputs: &Inputs, only: Option<&str>, self_key: &str) -> Vec<u8> {
    let concerns = |checks: &[String]| match only {
        None => true,
        Some(title) => checks.is_empty() || checks.iter().any(|c| c == title),
    };
    let mut entries: Vec<Entry> = inputs
        .incidents
        .iter()
        .filter(|i| concerns(&i.checks))
        .map(|i| incident_entry(inputs, i))
        .chain(
            inputs
                .maintenance
                .iter()
                .filter(|m| m.announced <= inputs.now && concerns(&m.checks))
                .map(|m| maintenance_entry(inputs, m)),
        )
        .collect();
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
    entries.truncate(MAX_ENTRIES);
    let title = match only {
        None => inputs.site.title.clone(),
        Some(check) => format!("{} – {check}", inputs.site.title),
    };
    let updated = entries
        .first()
        .map(|e| e.updated)
        .unwrap_or_else(|| inputs.updated_at());
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    push_text(&mut out, "id", &inputs.site.tag(self_key));
    push_text(&mut out, "title", &title);
    push_text(&mut out, "updated", &iso(updated));
    out.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml_escape(&inputs.site.title)
    ));
    out.push_str("  <generator>checkup-rs</generator>\n");
    if let Some(url) = &inputs.site.url {
        out.push_str(&format!(
            "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml_escape(url)
        ));
    }
    for entry in &entries {
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}</id>\n", xml_escape(&entry.id)));
        out.push_str(&format!(
            "    <title type=\"text\">{}</title>\n",
            xml_escape(&entry.title)
        ));
        out.push_str(&format!(
            "    <published>{}</published>\n",
            iso(entry.published)
        ));
        out.push_str(&format!("    <updated>{}</updated>\n", iso(entry.updated)));
        if let Some(link) = &entry.link {
            out.push_str(&format!(
                "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                xml_escape(link)
            ));
        }
        out.push_str("    <content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">");
        out.push_str(&entry.content);
        out.push_str("</div></content>\n");
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out.into_bytes()
}

fn push_text(out: &mut String, tag: &str, text: &str) {
    out.push_str(&format!("  <{tag}>{}</{tag}>\n", xml_escape(text)));
}

fn incident_entry(inputs: &Inputs, incident: &Incident) -> Entry {
    let mut content = String::new();
    if !incident.checks.is_empty() {
        content.push_str(&format!(
            "<p>Affects: {}</p>",
            xml_escape(&incident.checks.join(", "))
        ));
    }
    for update in &incident.updates {
        content.push_str(&format!(
            "<p><strong>{}</strong> – {}</p>",
            update.state.label(),
            xml_escape(&iso(update.timestamp))
        ));
        content.push_str(&xhtml(&doc_or_text(&update.doc, &update.body)));
    }
    Entry {
        id: inputs.site.tag(&format!("incident/{}", incident.id)),
        title: format!("{} ({})", incident.title, incident.state.label()),
        updated: incident.updates[0].timestamp,
        published: incident.opened,
        link: inputs.site.page_link(&format!("incident-{}", incident.id)),
        content,
    }
}

fn maintenance_entry(inputs: &Inputs, m: &Announced) -> Entry {
    let phase = m.phase(inputs.now);
    let (word, updated) = match phase {
        Phase::Upcoming => ("Scheduled", m.announced),
        Phase::InProgress => ("In progress", m.start),
        Phase::Completed => ("Completed", m.end),
    };
    let mut content = format!(
        "<p><strong>{word}</strong> – from {} to {} (UTC)</p>",
        xml_escape(&iso(m.start)),
        xml_escape(&iso(m.end))
    );
    if !m.checks.is_empty() {
        content.push_str(&format!(
            "<p>Affects: {}</p>",
            xml_escape(&m.checks.join(", "))
        ));
    }
    content.push_str(&xhtml(&doc_or_text(&m.doc, &m.description)));
    Entry {
        id: inputs
            .site
            .tag(&format!("maintenance/{}", m.occurrence_id())),
        title: format!("Maintenance: {} ({word})", m.title),
        updated,
        published: m.announced,
        link: inputs
            .site
            .page_link(&format!("maintenance-{}", m.occurrence_id())),
        content,
    }
}
