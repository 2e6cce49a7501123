//! Sending e-mail: the [`Mailer`] port and its two adapters, SMTP ([`SmtpMailer`], lettre)
//! and a folder of `.eml` files ([`FolderMailer`]) for a system with no SMTP server
//! configured. Messages reach a mailer only through the outbox (`app::outbox`).

use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Transport;
use std::path::PathBuf;
use std::time::Duration;

/// One message ready to send.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    /// The outbox id: also the `Message-ID` (`<id@ruqsat>`), so a message sent twice after
    /// a crash between send and mark is recognisable as one (docs/mail.md).
    pub id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `(file name, bytes)` of a PDF to attach.
    pub attachment: Option<(String, Vec<u8>)>,
}

/// A failed send, with whether trying again may help.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct MailError {
    pub message: String,
    /// `false` for a message the server refused for good (a malformed address): retrying
    /// the same message cannot succeed.
    pub transient: bool,
}

impl MailError {
    fn permanent(message: impl Into<String>) -> MailError {
        MailError {
            message: message.into(),
            transient: false,
        }
    }
}

/// Where messages go.
pub trait Mailer: Send + Sync {
    fn send(&self, mail: &OutgoingMail) -> Result<(), MailError>;
    /// For logs and the start-up line: `smtp://host:port` or the folder (no credentials).
    fn describe(&self) -> String;
}

fn build(from: &Mailbox, mail: &OutgoingMail) -> Result<lettre::Message, MailError> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| MailError::permanent(format!("recipient address: {e}")))?;
    let alternative = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(mail.text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(mail.html.clone()),
        );
    let body = match &mail.attachment {
        None => alternative,
        Some((name, bytes)) => {
            let pdf = ContentType::parse("application/pdf")
                .map_err(|e| MailError::permanent(e.to_string()))?;
            MultiPart::mixed()
                .multipart(alternative)
                .singlepart(Attachment::new(name.clone()).body(bytes.clone(), pdf))
        }
    };
    lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}@ruqsat>", mail.id)))
        .multipart(body)
        .map_err(|e| MailError::permanent(e.to_string()))
}

/// SMTP through lettre: `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS),
/// `smtps://host:port` (TLS); user and password in the URL.
pub struct SmtpMailer {
    from: Mailbox,
    transport: lettre::SmtpTransport,
    shown: String,
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str, timeout: Duration) -> anyhow::Result<SmtpMailer> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("configuration: setting `mail_from`: {e}"))?;
        let transport = lettre::SmtpTransport::from_url(url)
            .map_err(|e| anyhow::anyhow!("configuration: setting `smtp_url`: {e}"))?
            .timeout(Some(timeout))
            .build();
        Ok(SmtpMailer {
            from,
            transport,
            shown: crate::db::redact(url),
        })
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = build(&self.from, mail)?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| MailError {
                transient: !e.is_permanent(),
                message: e.to_string(),
            })
    }

    fn describe(&self) -> String {
        self.shown.clone()
    }
}

/// Without an SMTP server: each message as `<outbox id>.eml` in a folder, to open in any
/// mail program.
pub struct FolderMailer {
    from: Mailbox,
    dir: PathBuf,
}

impl FolderMailer {
    pub fn new(dir: PathBuf, from: &str) -> anyhow::Result<FolderMailer> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("configuration: setting `mail_from`: {e}"))?;
        std::fs::create_dir_all(&dir)?;
        Ok(FolderMailer { from, dir })
    }
}

impl Mailer for FolderMailer {
    fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = build(&self.from, mail)?;
        let name: String = mail
            .id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let path = self.dir.join(format!("{name}.eml"));
        let tmp = self.dir.join(format!(".{name}.eml.tmp"));
        let io = |e: std::io::Error| MailError {
            message: format!("{}: {e}", path.display()),
            transient: true,
        };
        std::fs::write(&tmp, message.formatted()).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)
    }

    fn describe(&self) -> String {
        self.dir.display().to_string()
    }
}

/// The wording of one message kind in one language.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailText {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// One message kind in the three languages (`templates/mail/<kind>.toml`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailTemplate {
    pub ru: MailText,
    pub kk: MailText,
    pub en: MailText,
}

/// The compiled-in mail templates (`templates/mail`), overridden by `templates_dir`.
pub static MAIL_DIR: include_dir::Dir<'_> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/templates/mail");

/// Every message kind, each with its template.
pub const MAIL_KINDS: &[&str] = &[
    "password_reset",
    "status_changed",
    "deadline_extended",
    "result_ready",
];

/// Every mail template by kind.
#[derive(Debug, Clone, Default)]
pub struct MailTemplates(pub std::collections::BTreeMap<String, MailTemplate>);

/// A message rendered in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl MailTemplates {
    /// `kind` in `lang` with `{name}` placeholders filled: as given in the subject and the
    /// text, HTML-escaped in the HTML.
    pub fn render(
        &self,
        kind: &str,
        lang: crate::error::Lang,
        vars: &[(&str, &str)],
    ) -> Option<Rendered> {
        let t = self.0.get(kind)?;
        let t = lang.pick(&t.ru, &t.kk, &t.en);
        let fill = |s: &str, escape: bool| {
            vars.iter().fold(s.trim().to_string(), |acc, (k, v)| {
                let v = if escape {
                    crate::html::escape(v)
                } else {
                    v.to_string()
                };
                acc.replace(&format!("{{{k}}}"), &v)
            })
        };
        Some(Rendered {
            subject: fill(&t.subject, false),
            text: fill(&t.text, false),
            html: fill(&t.html, true),
        })
    }
}

/// An address as shown to operators: the first letter of the mailbox and the domain
/// (`d***@example.kz`), so a console or a log never carries a whole personal address.
pub fn masked_address(addr: &str) -> String {
    match addr.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked() {
        assert_eq!(masked_address("daulet@example.kz"), "d***@example.kz");
        assert_eq!(masked_address("Әлия@пример.kz"), "Ә***@пример.kz");
        assert_eq!(masked_address("no-at-sign"), "***");
    }

    #[test]
    fn every_kind_renders_in_three_languages_with_html_escaped() {
        let mut m = MailTemplates::default();
        for f in MAIL_DIR.files() {
            let kind = f.path().file_stem().and_then(|s| s.to_str()).expect("name");
            let text = f.contents_utf8().expect("utf-8");
            m.0.insert(kind.to_string(), toml::from_str(text).expect("template"));
        }
        for kind in MAIL_KINDS {
            for lang in crate::error::Lang::ALL {
                let r = m
                    .render(
                        kind,
                        lang,
                        &[("name", "<Айгерім>"), ("link", "https://x/?a=1&b=2")],
                    )
                    .expect("kind");
                assert!(r.html.contains("&lt;Айгерім&gt;"), "{kind} {lang:?}");
                assert!(r.text.contains("<Айгерім>"), "{kind} {lang:?}");
                assert!(!r.subject.is_empty());
            }
        }
    }

    fn mail(to: &str) -> OutgoingMail {
        OutgoingMail {
            id: "0190aaaa-bbbb".into(),
            to: to.into(),
            subject: "Өтінім KZ-2026-000001: мәртебе".into(),
            text: "Сәлеметсіз бе".into(),
            html: "<p>Сәлеметсіз бе</p>".into(),
            attachment: Some(("result.pdf".into(), b"%PDF-1.7 test".to_vec())),
        }
    }

    #[test]
    fn the_folder_mailer_writes_a_multipart_message_with_the_pdf() {
        let dir = tempfile::tempdir().expect("tmp");
        let m = FolderMailer::new(dir.path().join("mail"), "Ruqsat <no-reply@ruqsat.local>")
            .expect("mailer");
        m.send(&mail("aigerim@example.kz")).expect("sent");
        let eml = std::fs::read_to_string(dir.path().join("mail/0190aaaa-bbbb.eml")).expect("eml");
        assert!(eml.contains("To: aigerim@example.kz"), "{eml}");
        assert!(eml.contains("Message-ID: <0190aaaa-bbbb@ruqsat>"), "{eml}");
        assert!(eml.contains("multipart/mixed"), "{eml}");
        assert!(eml.contains("application/pdf"), "{eml}");
        assert!(eml.contains("result.pdf"), "{eml}");
    }

    #[test]
    fn a_malformed_address_is_a_permanent_failure() {
        let dir = tempfile::tempdir().expect("tmp");
        let m = FolderMailer::new(dir.path().to_path_buf(), "no-reply@ruqsat.local").expect("m");
        let e = m.send(&mail("not an address")).expect_err("refused");
        assert!(!e.transient);
    }
}
