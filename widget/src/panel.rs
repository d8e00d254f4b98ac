//! The chat panel: header, greeting (or the offline message), the pre-chat form, messages and
//! composer, over one conversation socket.

use crate::accent::apply_accent;
use crate::bridge::{focus, post_to_host, Embedding, ToHost};
use crate::contact_form::{Ask, Contact, ContactForm};
use crate::outbox::Outbox;
use crate::unread::use_unread_notices;
use crate::view::View;
use client::chat::Connection;
use client::components::{Composer, MessageList, Viewer};
use client::hooks::use_chat;
use shared::api::{PrechatMode, VisitorSession};
use shared::chat_labels::fill;
use shared::{Author, ClientMsg};
use yew::prelude::*;

/// What the chat view focuses when it opens: the pre-chat form's first field, else the composer.
pub const FOCUS_FIRST: &str = "#pvx-name, textarea";

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub session: VisitorSession,
    pub embedding: Embedding,
    /// The chat view is shown and the page is visible: new messages count as read.
    pub visible: bool,
    /// Texts the page asked to send as the visitor: sent as if typed.
    pub outbox: Outbox,
    pub draft: client::components::KeptDraft,
}

#[function_component(Panel)]
pub fn panel(props: &PanelProps) -> Html {
    let session = &props.session;
    // The words in the visitor's language, as the edge sent them (English until then).
    let labels = session.labels.unwrap_or_default();
    let path = format!("/api/v1/sites/{}/connect?token={}", props.embedding.site, session.token);
    let chat = use_chat(path, Author::Visitor);
    let state = &chat.state;
    // The pre-chat form was answered or skipped, and the email the visitor gave, if any.
    let prechat_done = use_state(|| false);
    let email = use_state(|| None::<AttrValue>);
    let kept = use_mut_ref(|| false);
    let reported = use_mut_ref(|| 0u64);

    // The visitor started a chat or gave their details: have the loader keep the token so they
    // find the conversation again on their next page.
    let keep_token = {
        let (host, token) = (props.embedding.host.clone(), session.token.clone());
        move || {
            if !std::mem::replace(&mut *kept.borrow_mut(), true) {
                post_to_host(&host, ToHost::Token { token: &token });
            }
        }
    };
    let onsend = {
        let (send, keep_token) = (chat.send.clone(), keep_token.clone());
        Callback::from(move |body: String| {
            send.emit(body);
            keep_token();
        })
    };
    let contact = {
        let (frame, email, lang) = (chat.frame.clone(), email.clone(), session.lang);
        move |name: Option<String>, c: Contact| {
            if name.is_some() || c.email.is_some() {
                email.set(c.email.as_ref().map(|e| e.to_string().into()));
                let (email_replies, transcript) = (c.email_replies, c.transcript);
                let lang = (email_replies || transcript).then_some(lang);
                frame.emit(ClientMsg::Contact {
                    name,
                    email: c.email.map(String::from),
                    email_replies,
                    transcript,
                    lang,
                });
                keep_token();
            }
        }
    };
    {
        let onsend = onsend.clone();
        use_effect_with(props.outbox.clone(), move |outbox| {
            outbox.take().into_iter().for_each(|text| onsend.emit(text))
        });
    }
    use_unread_notices(&props.embedding.host, state, props.visible);
    let onprechat = {
        let (contact, done) = (contact.clone(), prechat_done.clone());
        Callback::from(move |c: Contact| {
            contact(c.name.clone(), c);
            done.set(true);
        })
    };
    let onskip = {
        let done = prechat_done.clone();
        Callback::from(move |()| done.set(true))
    };
    let onsave = Callback::from(move |c: Contact| contact(None, c));
    let ontyping = chat.frame.reform(|()| ClientMsg::Typing);

    // Read receipts: what the agents wrote counts as read once the visitor could see it.
    {
        let theirs =
            state.lines.iter().filter(|l| matches!(l.author, Author::Agent { .. })).filter_map(|l| l.seq).max();
        let (frame, last, known) = (chat.frame.clone(), state.last_seq(), state.visitor_read);
        let online = state.connection == Connection::Online;
        use_effect_with((props.visible, online, theirs.unwrap_or(0)), move |&(visible, online, theirs)| {
            let mut reported = reported.borrow_mut();
            if !online {
                // Whatever was on its way may be lost: report again after reconnecting.
                *reported = 0;
            } else if visible && theirs > (*reported).max(known) {
                frame.emit(ClientMsg::Read { seq: last });
                *reported = last;
            }
        });
    }

    let close = {
        let host = props.embedding.host.clone();
        move || post_to_host(&host, ToHost::Close)
    };
    let onclick = {
        let close = close.clone();
        Callback::from(move |_: MouseEvent| close())
    };
    let onprivacy = {
        let host = props.embedding.host.clone();
        Callback::from(move |_: MouseEvent| post_to_host(&host, ToHost::View { view: View::Preferences }))
    };
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Escape" {
            close();
        }
    });
    let l = &labels;
    // Whether someone can answer: as the socket last said, else as the session said. Once an
    // agent has answered here, the away card gives way to the conversation.
    let online = state.online.unwrap_or(session.online);
    let answered = state.lines.iter().any(|line| matches!(line.author, Author::Agent { .. }));
    let away_card = !online && !answered;
    let status = match state.connection {
        Connection::Online if online => &l.online,
        Connection::Online => &l.away,
        Connection::Connecting => &l.connecting,
        Connection::Reconnecting => &l.reconnecting,
        Connection::Ended => &l.ended,
    };
    let typing = match &state.typing {
        Some((Author::Agent { name }, _)) => Some(AttrValue::from(name.clone())),
        _ => None,
    };
    // The pre-chat form comes before the first message. Until the socket says whether there are
    // messages, neither it nor the composer shows, so a returning visitor never sees it flash.
    let ask = session.prechat != PrechatMode::Off && !session.contact_known && !*prechat_done && state.lines.is_empty();
    let prechat = ask && state.conversation_id.is_some();
    let empty = state.lines.is_empty();
    // Focus follows what appears: the form when it shows, the composer after it.
    use_effect_with((prechat, ask), |_| focus(FOCUS_FIRST));
    let panel = use_node_ref();
    // While nobody can answer, the mail choices are open, else folded into one line: one form
    // either way, never remounted, so what the visitor typed in it stays.
    let mail = use_node_ref();
    {
        let mail = mail.clone();
        use_effect_with(away_card, move |&away| {
            if let Some(details) = mail.cast::<web_sys::Element>() {
                let _ = details.toggle_attribute_with_force("open", away);
            }
        });
    }
    {
        let panel = panel.clone();
        use_effect_with(session.color.clone(), move |color| {
            if let Some(el) = panel.cast::<web_sys::HtmlElement>() {
                apply_accent(&el, color);
            }
        });
    }
    let name = &session.site_name;
    html! {
        <section class="pvx-panel" ref={panel} aria-label={fill(&l.chat_with, "name", name)} {onkeydown}>
            <header class="pvx-header">
                <div>
                    <h1>{ name }</h1>
                    <p class="pvx-presence" role="status">{ status.as_ref() }</p>
                </div>
                <div class="pvx-tools">
                    <button class="pvx-tool" onclick={onprivacy}>{ l.privacy.as_ref() }</button>
                    <button class="pvx-close" aria-label={l.close_chat.to_string()} title={l.close_chat.to_string()} {onclick}>{ "×" }</button>
                </div>
            </header>
            if away_card {
                // Nobody is available: the visitor can leave an email (unless the pre-chat form
                // asks for it, below) and still write.
                <p class="pvx-greeting">{ &session.offline_message }</p>
            } else if empty {
                <p class="pvx-greeting">{ &session.greeting }</p>
            }
            if prechat {
                <ContactForm ask={Ask::Prechat { required: session.prechat == PrechatMode::Required }} onsubmit={onprechat} {onskip} {labels} />
            } else {
                <MessageList lines={state.lines.clone()} files={state.files.clone()} viewer={Viewer::Visitor} peer_read={state.agent_read} {typing} {labels} lang={session.lang.code()} />
                if let Some(notice) = &state.notice {
                    <p class="pvx-error" role="alert">{ notice }</p>
                }
                if !ask {
                    // The mail choices wait behind one line while someone can answer.
                    if let Some(email) = &*email {
                        <p class="pvx-mail" role="status">{ fill(&l.reply_to, "email", email) }</p>
                    } else {
                        <details class="pvx-mail" ref={mail}>
                            <summary>{ l.mail_options.as_ref() }</summary>
                            <ContactForm ask={Ask::Email} onsubmit={onsave} {labels} />
                        </details>
                    }

                        <Composer {onsend} {ontyping} {labels} keep={props.draft.clone()}
                        upload={format!("/api/v1/sites/{}/file-messages?token={}&lang={}", props.embedding.site, session.token, session.lang.code())} />

                }
            }
        </section>
    }
}
