use super::{conversation_header::ConversationHeader, reply_box::ReplyBox, sidebar::Sidebar};
use crate::inbox_state::InboxContext;
use client::chat::Connection;
use client::components::{MessageList, Viewer};
use client::hooks::use_chat;
use shared::chat_labels::Texts;
use shared::{AgentRef, Author, ClientMsg, ConversationId, Email, SiteId};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::{closure::Closure, JsCast};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConversationViewProps {
    pub site: SiteId,
    pub id: ConversationId,
    /// The visitor's name and email from the list, until the conversation's own details arrive.
    pub title: String,
    #[prop_or_default]
    pub visitor_email: Option<Email>,
    /// The signed-in agent: the name visitors see on replies, the email "Assign to me" uses.
    pub me: AgentRef,
    /// Opens another conversation (one of the visitor's, from their profile).
    pub onopen: Callback<ConversationId>,
}

/// One conversation, live on its own socket: the header with status and assignee, the
/// messages and notes, the reply box, and the visitor beside them. It tells the edge how far
/// the agent has read whenever it is on screen.
#[function_component(ConversationView)]
pub fn conversation_view(props: &ConversationViewProps) -> Html {
    let path = format!("/api/v1/workspaces/{}/conversations/{}/connect", props.site, props.id);
    let chat = use_chat(path, Author::Agent { name: props.me.name.clone() });
    let inbox = use_context::<InboxContext>();
    let team = inbox.as_ref().map(|inbox| inbox.team.clone()).unwrap_or_default();
    let state = &chat.state;
    use_read_receipts(state.last_seq(), chat.frame.clone());

    let details = state.details.clone();
    let name = details.as_ref().map_or_else(|| props.title.clone(), |d| d.visitor_name.clone());
    let typing = state.typing.as_ref().map(|(author, _)| match author {
        Author::Agent { name } => AttrValue::from(name.clone()),
        // The visitor by the name the team knows them by.
        Author::Visitor => AttrValue::from(name.clone()),
    });
    let assignee_online = details
        .as_ref()
        .and_then(|d| d.assignee.as_ref())
        .zip(inbox.as_ref())
        .is_some_and(|(a, inbox)| inbox.is_online(&a.email));
    let ontyping = {
        let frame = chat.frame.clone();
        Callback::from(move |()| frame.emit(ClientMsg::Typing))
    };
    html! {
        <>
            <section class="conversation-view" aria-label={format!("Conversation with {name}")}>
                <ConversationHeader title={name.clone()} details={details.clone()} {team} me={props.me.clone()}
                    online={state.connection == Connection::Online} onframe={chat.frame.clone()} />
                <MessageList lines={state.lines.clone()} files={state.files.clone()} viewer={Viewer::Agent} peer_read={state.visitor_read} {typing} labels={Texts::agent()} />
                if let Some(notice) = &state.notice {
                    <p class="error" role="alert">{ notice }</p>
                }
                <ReplyBox site={props.site.clone()} onsend={chat.send.clone()} onnote={chat.send_note.clone()} {ontyping}
                    upload={format!("/api/v1/workspaces/{}/conversations/{}/file-messages", props.site, props.id)} />
            </section>
            <Sidebar site={props.site.clone()} id={props.id.clone()} {details} fallback_name={props.title.clone()}
                fallback_email={props.visitor_email.clone()} {assignee_online} online={state.connection == Connection::Online}
                onframe={chat.frame.clone()} onopen={props.onopen.clone()} />
        </>
    }
}

/// Sends `read {seq}` for the newest message whenever it grows while the page is visible, and
/// when the page becomes visible again, so "Seen" and unread counts mean a person saw it.
#[hook]
fn use_read_receipts(last_seq: u64, frame: Callback<ClientMsg>) {
    // What was last reported, shared with the visibility listener; `latest` is what is shown.
    let sent = use_mut_ref(|| Rc::new(Cell::new(0u64)));
    let latest = use_mut_ref(|| Rc::new(Cell::new(0u64)));
    let report = {
        let (sent, latest) = (sent.borrow().clone(), latest.borrow().clone());
        move |frame: &Callback<ClientMsg>| {
            let seq = latest.get();
            if seq > sent.get() && !super::notify::page_hidden() {
                sent.set(seq);
                frame.emit(ClientMsg::Read { seq });
            }
        }
    };
    latest.borrow().set(last_seq);
    {
        let (report, frame) = (report.clone(), frame.clone());
        use_effect_with(last_seq, move |_| report(&frame));
    }
    use_effect_with((), move |_| {
        let listener = Closure::<dyn Fn()>::new(move || report(&frame));
        let document = web_sys::window().and_then(|w| w.document());
        if let Some(d) = &document {
            let _ = d.add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = &document {
                let _ = d.remove_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
            }
        }
    });
}
