//! The visitor's contact details, as a pure component in two shapes: the pre-chat form ("Before
//! we start": name and email before the first message) and the offline form (an email the team
//! can answer later). One component for both keeps the widget's WASM small.

use shared::chat_labels::ChatLabels;
#[cfg(target_arch = "wasm32")]
use shared::chat_labels::Texts;
use shared::{domain::visitor_name, Email};
// The component itself only renders in the browser; natively its pure checks are tested.
#[cfg(target_arch = "wasm32")]
use {web_sys::HtmlInputElement, yew::prelude::*};

/// Lowercases as `str::to_lowercase` does, with the browser's `toLowerCase` (same Unicode
/// mapping) so the WASM carries no case tables.
#[cfg(target_arch = "wasm32")]
fn lowercase(s: &str) -> String {
    js_sys::JsString::from(s).to_lower_case().into()
}

#[cfg(not(target_arch = "wasm32"))]
fn lowercase(s: &str) -> String {
    s.to_lowercase()
}

/// Which form, and what it insists on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Name and email; `required`: both must be valid (no "Skip"), else either may stay empty.
    Prechat { required: bool },
    /// An email, required.
    Email,
}

/// What the visitor gave, each part validated; `None` where a field was left empty or not asked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<Email>,
    /// "Email me the replies": the visitor's explicit choice, which needs an address.
    pub email_replies: bool,
    /// "Email me a transcript" (when the conversation is resolved): the same.
    pub transcript: bool,
}

impl Contact {
    /// Checks what was typed. A field left empty is an error only when `ask` needs it; a field
    /// with text must be valid either way.
    pub fn parse(name: &str, email: &str, ask: Ask) -> Result<Self, Errors> {
        let (need_name, need_email) = match ask {
            Ask::Prechat { required } => (required, required),
            Ask::Email => (false, true),
        };
        let name = match name.trim() {
            "" if need_name => Err(Problem::NeedName),
            "" => Ok(None),
            s => visitor_name(s).map(Some).map_err(|_| Problem::LongName),
        };
        let email = match email.trim() {
            "" if need_email => Err(Problem::NeedEmail),
            "" => Ok(None),
            s => Email::parse_with_lowercase(s, lowercase).map(Some).map_err(|_| Problem::BadEmail),
        };
        match (name, email) {
            (Ok(name), Ok(email)) => Ok(Self { name, email, ..Self::default() }),
            (name, email) => Err(Errors { name: name.err(), email: email.err() }),
        }
    }

    /// Adds the choices to get the replies or a transcript by email, which need an address.
    pub fn with_mail(self, email_replies: bool, transcript: bool) -> Result<Self, Errors> {
        if (email_replies || transcript) && self.email.is_none() {
            return Err(Errors { name: None, email: Some(Problem::MailNeedsEmail) });
        }
        Ok(Self { email_replies, transcript, ..self })
    }
}

/// What is wrong with each field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Errors {
    pub name: Option<Problem>,
    pub email: Option<Problem>,
}

/// What is wrong with a field, said in the visitor's words by [`Problem::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    NeedName,
    LongName,
    NeedEmail,
    BadEmail,
    /// A choice of mail without an address.
    MailNeedsEmail,
}

impl Problem {
    pub fn text(self, l: &ChatLabels) -> &str {
        match self {
            Problem::NeedName => &l.need_name,
            Problem::LongName => &l.long_name,
            Problem::NeedEmail => &l.need_email,
            Problem::BadEmail => &l.bad_email,
            Problem::MailNeedsEmail => &l.mail_needs_email,
        }
    }
}

#[cfg(target_arch = "wasm32")]
#[derive(Properties, PartialEq)]
pub struct ContactFormProps {
    pub ask: Ask,
    /// "Start chat" or "Save email" with valid input (possibly all empty, for the optional form).
    pub onsubmit: Callback<Contact>,
    /// "Skip" (optional pre-chat form only).
    #[prop_or_default]
    pub onskip: Callback<()>,
    /// The words, in the visitor's language.
    pub labels: Texts,
}

#[cfg(target_arch = "wasm32")]
#[function_component(ContactForm)]
pub fn contact_form(props: &ContactFormProps) -> Html {
    let (name, email, replies, transcript) = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let errors = use_state(Errors::default);
    let ask = props.ask;
    let onsubmit = {
        let (name, email, replies, transcript, errors, onsubmit) =
            (name.clone(), email.clone(), replies.clone(), transcript.clone(), errors.clone(), props.onsubmit.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let checked = |r: &NodeRef| r.cast::<HtmlInputElement>().is_some_and(|i| i.checked());
            let parsed = Contact::parse(&value(&name), &value(&email), ask);
            match parsed.and_then(|c| c.with_mail(checked(&replies), checked(&transcript))) {
                Ok(contact) => onsubmit.emit(contact),
                Err(e) => errors.set(e),
            }
        })
    };
    let l = &props.labels;
    let Errors { name: name_error, email: email_error } = *errors;
    let (prechat, required) = match ask {
        Ask::Prechat { required } => (true, required),
        Ask::Email => (false, true),
    };
    html! {
        <form class={if prechat { "pvx-form pvx-prechat" } else { "pvx-form pvx-inline" }} novalidate={true} {onsubmit}
            aria-labelledby={prechat.then_some("pvx-prechat-title")}>
            if prechat {
                <h2 id="pvx-prechat-title">{ l.before_we_start.as_ref() }</h2>
                <label for="pvx-name">{ l.your_name.as_ref() }</label>
                <input id="pvx-name" ref={name} autocomplete="name" {required} aria-invalid={name_error.is_some().to_string()} />
            }
            <label for="pvx-email">{ l.your_email.as_ref() }</label>
            <input id="pvx-email" ref={email} type="email" autocomplete="email" {required} aria-invalid={email_error.is_some().to_string()} />
            <label class="pvx-check"><input ref={replies} type="checkbox" />{ l.email_replies.as_ref() }</label>
            <label class="pvx-check"><input ref={transcript} type="checkbox" />{ l.email_transcript.as_ref() }</label>
            if !prechat {
                <button type="submit">{ l.save_email.as_ref() }</button>
            }
            if name_error.is_some() || email_error.is_some() {
                <p class="pvx-error" role="alert">
                    { name_error.map(|p| p.text(l)) }{ " " }{ email_error.map(|p| p.text(l)) }
                </p>
            }
            if prechat {
                <div class="pvx-form-actions">
                    <button type="submit">{ l.start_chat.as_ref() }</button>
                    if !required {
                        <button type="button" class="pvx-secondary" onclick={props.onskip.reform(|_: MouseEvent| ())}>{ l.skip.as_ref() }</button>
                    }
                </div>
            }
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUIRED: Ask = Ask::Prechat { required: true };
    const OPTIONAL: Ask = Ask::Prechat { required: false };

    #[test]
    fn the_required_prechat_form_needs_both_fields() {
        let both = Errors { name: Some(Problem::NeedName), email: Some(Problem::NeedEmail) };
        assert_eq!(Contact::parse("", "", REQUIRED), Err(both));
        let email_only = Contact::parse("Ana", "ana@", REQUIRED).unwrap_err();
        assert_eq!(email_only.name, None, "a bad email is not the name's fault");
        assert!(Contact::parse("Ana", "not an email", REQUIRED).is_err());
        let c = Contact::parse(" Ana ", "Ana@Example.com", REQUIRED).unwrap();
        assert_eq!((c.name.as_deref(), c.email.as_ref().map(Email::as_str)), (Some("Ana"), Some("ana@example.com")));
    }

    #[test]
    fn replies_and_transcripts_by_email_need_an_address() {
        let without = Contact::parse("Ana", "", OPTIONAL).unwrap();
        assert!(without.clone().with_mail(true, false).unwrap_err().email.is_some());
        assert!(without.clone().with_mail(false, true).unwrap_err().email.is_some());
        assert!(!without.with_mail(false, false).unwrap().email_replies);
        let with = Contact::parse("", "ana@example.com", Ask::Email).unwrap();
        let c = with.with_mail(true, true).unwrap();
        assert!(c.email_replies && c.transcript);
    }

    #[test]
    fn the_optional_prechat_form_allows_empty_but_not_invalid() {
        assert_eq!(Contact::parse(" ", "", OPTIONAL), Ok(Contact::default()));
        assert_eq!(Contact::parse("Ana", "", OPTIONAL), Ok(Contact { name: Some("Ana".into()), ..Contact::default() }));
        assert!(Contact::parse("", "nope", OPTIONAL).is_err());
        assert!(Contact::parse(&"x".repeat(81), "", OPTIONAL).is_err());
    }

    #[test]
    fn the_offline_form_needs_an_email_only() {
        assert_eq!(Contact::parse("", "", Ask::Email), Err(Errors { name: None, email: Some(Problem::NeedEmail) }));
        assert_eq!(Contact::parse("", "a@b.co", Ask::Email).unwrap().email.unwrap().as_str(), "a@b.co");
    }
}

/// In headless Chromium: `cargo test -p widget --target wasm32-unknown-unknown`.
#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests {
    use super::*;
    use crate::test_support::{button, field, mount, tick};
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// What the form emitted: `Some` for a submit, `None` for "Skip".
    type Log = Rc<RefCell<Vec<Option<Contact>>>>;

    async fn render(ask: Ask) -> (web_sys::Element, Log) {
        render_in(ask, shared::consent::Lang::En).await
    }

    async fn render_in(ask: Ask, lang: shared::consent::Lang) -> (web_sys::Element, Log) {
        let log: Log = Rc::default();
        let (submitted, skipped) = (log.clone(), log.clone());
        let props = ContactFormProps {
            ask,
            onsubmit: Callback::from(move |c| submitted.borrow_mut().push(Some(c))),
            onskip: Callback::from(move |()| skipped.borrow_mut().push(None)),
            labels: Texts(ChatLabels::of(lang)),
        };
        (mount::<ContactForm>(props).await, log)
    }

    #[wasm_bindgen_test]
    async fn the_form_speaks_the_visitors_language() {
        let (root, log) = render_in(Ask::Prechat { required: true }, shared::consent::Lang::De).await;
        assert_eq!(root.query_selector("h2").unwrap().unwrap().text_content().as_deref(), Some("Bevor es losgeht"));
        field(&root, "Ihr Name").set_value("Jonas");
        field(&root, "Ihre E-Mail-Adresse").set_value("jonas@");
        submit(&root, "Chat starten").await;
        let alert = root.query_selector("[role=alert]").unwrap().expect("an alert");
        assert!(alert
            .text_content()
            .unwrap()
            .contains("Bitte geben Sie eine E-Mail-Adresse wie name@example.com ein."));
        assert!(log.borrow().is_empty());
    }

    async fn submit(root: &web_sys::Element, name: &str) {
        button(root, name).unwrap_or_else(|| panic!("a {name:?} button")).click();
        tick().await;
    }

    #[wasm_bindgen_test]
    async fn the_required_prechat_form_refuses_until_both_fields_are_valid() {
        let (root, log) = render(Ask::Prechat { required: true }).await;
        assert_eq!(root.query_selector("h2").unwrap().unwrap().text_content().as_deref(), Some("Before we start"));
        assert!(button(&root, "Skip").is_none(), "no Skip when the form is required");
        submit(&root, "Start chat").await;
        let alert = root.query_selector("[role=alert]").unwrap().expect("an alert");
        assert!(alert.text_content().unwrap().contains("Please enter your name."));
        assert_eq!(field(&root, "Your name").get_attribute("aria-invalid").as_deref(), Some("true"));
        field(&root, "Your name").set_value("Ana");
        field(&root, "Your email").set_value("ana@");
        submit(&root, "Start chat").await;
        assert!(log.borrow().is_empty(), "nothing is sent while a field is invalid");
        assert_eq!(field(&root, "Your name").get_attribute("aria-invalid").as_deref(), Some("false"));
        field(&root, "Your email").set_value("Ana@Example.com");
        submit(&root, "Start chat").await;
        let email = Email::parse("ana@example.com").unwrap();
        assert_eq!(
            *log.borrow(),
            vec![Some(Contact { name: Some("Ana".into()), email: Some(email), ..Contact::default() })]
        );
    }

    #[wasm_bindgen_test]
    async fn the_optional_prechat_form_can_be_skipped_or_sent_empty() {
        let (root, log) = render(Ask::Prechat { required: false }).await;
        submit(&root, "Skip").await;
        submit(&root, "Start chat").await;
        assert_eq!(*log.borrow(), vec![None, Some(Contact::default())]);
    }

    #[wasm_bindgen_test]
    async fn the_offline_form_asks_for_a_valid_email_only() {
        let (root, log) = render(Ask::Email).await;
        assert!(root.query_selector("h2").unwrap().is_none() && root.query_selector("#pvx-name").unwrap().is_none());
        assert!(button(&root, "Start chat").is_none());
        field(&root, "Your email").set_value("ana at example");
        submit(&root, "Save email").await;
        assert!(root.query_selector("[role=alert]").unwrap().is_some(), "an invalid address is refused");
        assert!(log.borrow().is_empty());
        field(&root, "Your email").set_value(" Ana@Example.com ");
        submit(&root, "Save email").await;
        let email = Email::parse("ana@example.com").unwrap();
        assert_eq!(*log.borrow(), vec![Some(Contact { email: Some(email), ..Contact::default() })]);
    }

    #[wasm_bindgen_test]
    async fn email_me_the_replies_or_a_transcript_needs_an_address_and_is_sent_when_ticked() {
        use wasm_bindgen::JsCast;
        let (root, log) = render(Ask::Prechat { required: false }).await;
        let labels = root.query_selector_all(".pvx-check").unwrap();
        let tick_box = |i: u32, name: &str| -> HtmlInputElement {
            let label = labels.get(i).unwrap();
            assert_eq!(label.text_content().as_deref(), Some(name), "named by its label");
            let input: HtmlInputElement =
                label.unchecked_into::<web_sys::Element>().query_selector("input").unwrap().unwrap().unchecked_into();
            assert!(!input.checked(), "unticked until the visitor chooses");
            input
        };
        let (replies, transcript) = (tick_box(0, "Email me the replies"), tick_box(1, "Email me a transcript"));
        transcript.set_checked(true);
        submit(&root, "Start chat").await;
        let alert = root.query_selector("[role=alert]").unwrap().expect("an alert");
        assert!(alert.text_content().unwrap().contains("Enter your email to get these emails."));
        assert!(log.borrow().is_empty());
        field(&root, "Your email").set_value("ana@example.com");
        submit(&root, "Start chat").await;
        replies.set_checked(true);
        transcript.set_checked(false);
        submit(&root, "Start chat").await;
        let email = Some(Email::parse("ana@example.com").unwrap());
        assert_eq!(
            *log.borrow(),
            vec![
                Some(Contact { email: email.clone(), transcript: true, ..Contact::default() }),
                Some(Contact { email, email_replies: true, ..Contact::default() })
            ]
        );
    }

    #[wasm_bindgen_test]
    fn the_browsers_lowercase_is_rusts() {
        for s in ["Ana@Example.COM", "ÀNA@ÉXAMPLE.FR", "ΟΔΟΣ@Example.gr", "İstanbul@EXAMPLE.tr", "STRASSE@ẞ.DE"]
        {
            assert_eq!(super::lowercase(s), s.to_lowercase(), "{s}");
            assert_eq!(Email::parse_with_lowercase(s, super::lowercase), Email::parse(s), "{s}");
        }
    }
}
