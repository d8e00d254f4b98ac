use shared::{domain::MAX_MESSAGE_CHARS, DomainError, MessageBody};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    /// Called with the trimmed text when the user sends.
    pub onsend: Callback<String>,
    #[prop_or(AttrValue::Static("Write a message…"))]
    pub placeholder: AttrValue,
    /// Called while the user types, at most every few seconds (for typing indicators).
    #[prop_or_default]
    pub ontyping: Option<Callback<()>>,
}

/// Least time between two typing signals, in ms: the other side's indicator lasts longer.
const TYPING_EVERY_MS: f64 = 2500.0;

/// A text box labelled "Message" and a "Send" button. Enter sends, Shift+Enter starts a new
/// line. The same limits as the edge apply before anything leaves the browser.
#[function_component(Composer)]
pub fn composer(props: &ComposerProps) -> Html {
    let text = use_state(String::new);
    let input = use_node_ref();
    let check = MessageBody::parse(&text);
    let too_long = matches!(check, Err(DomainError::MessageTooLong { .. }));

    let last_typing = use_mut_ref(|| f64::MIN);
    let send = {
        let (text, input, onsend, last_typing) =
            (text.clone(), input.clone(), props.onsend.clone(), last_typing.clone());
        Callback::from(move |()| {
            if let Ok(body) = MessageBody::parse(&text) {
                onsend.emit(body.into());
                // The next message starts a new typing signal at once.
                *last_typing.borrow_mut() = f64::MIN;
                text.set(String::new());
                if let Some(el) = input.cast::<HtmlTextAreaElement>() {
                    el.set_value("");
                    let _ = el.focus();
                }
            }
        })
    };
    let oninput = {
        let (text, ontyping) = (text.clone(), props.ontyping.clone());
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            let now = js_sys::Date::now();
            if let Some(ontyping) = ontyping.as_ref().filter(|_| !value.trim().is_empty()) {
                if now - *last_typing.borrow() >= TYPING_EVERY_MS {
                    *last_typing.borrow_mut() = now;
                    ontyping.emit(());
                }
            }
            text.set(value);
        })
    };
    let onkeydown = {
        let send = send.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && !e.shift_key() && !e.is_composing() {
                e.prevent_default();
                send.emit(());
            }
        })
    };
    let onsubmit = Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        send.emit(());
    });
    let over = text.chars().count().saturating_sub(MAX_MESSAGE_CHARS);
    html! {
        <form class="pvx-composer" {onsubmit}>
            <textarea ref={input} aria-label="Message" rows="2" placeholder={props.placeholder.clone()}
                maxlength={(MAX_MESSAGE_CHARS * 2).to_string()} {oninput} {onkeydown}
                aria-invalid={too_long.to_string()} aria-describedby="pvx-composer-hint" />
            <button type="submit" disabled={check.is_err()}>{ "Send" }</button>
            <p id="pvx-composer-hint" class="pvx-hint" role={too_long.then_some("alert")}>
                { if too_long { format!("{over} characters over the {MAX_MESSAGE_CHARS}-character limit") } else { String::new() } }
            </p>
        </form>
    }
}
