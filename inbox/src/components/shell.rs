use super::top_bar::{Page, TopBar};
use super::{conversation_list::ConversationList, conversation_view::ConversationView, notify};
use crate::inbox_state::{InboxAction, InboxState};
use client::chat::Connection;
use client::socket::{socket_url, ChatSocket};
use shared::api::{Me, WorkspaceRef};
use shared::{AgentRef, ClientMsg, ConversationId, ServerMsg, SiteId};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShellProps {
    pub me: Me,
    /// The workspace shown; the parent re-creates the shell for another one, so nothing of
    /// this one (socket, list, open conversation) leaks into the next.
    pub workspace: WorkspaceRef,
    pub onworkspace: Callback<SiteId>,
    /// Whether the agent is available; kept by the parent so it survives a workspace switch.
    pub available: bool,
    pub onavailable: Callback<bool>,
    pub onsignout: Callback<()>,
    /// The agent's account was closed from the Account page.
    pub onclosed: Callback<String>,
    /// The session ended elsewhere (signed out, revoked, the password changed).
    pub onsessionended: Callback<()>,
    /// The owner closed this workspace from Settings.
    pub onworkspaceclosed: Callback<String>,
    /// Said above the page until dismissed (a workspace was closed).
    pub notice: Option<String>,
    pub ondismiss: Callback<()>,
    /// The conversation open at first (a digest's link).
    #[prop_or_default]
    pub open: Option<ConversationId>,
}

/// One workspace, signed in: the top bar, and either the three-column inbox (conversations,
/// the open conversation, its visitor) or one of the workspace's pages. Owns the inbox socket
/// and the inbox state, which its children read from context.
#[function_component(Shell)]
pub fn shell(props: &ShellProps) -> Html {
    let inbox = use_reducer(InboxState::default);
    let connection = use_state(Connection::default);
    let page = use_state(|| Page::Conversations);
    let selected = use_state(|| props.open.clone());
    let socket = use_mut_ref(|| None::<ChatSocket>);
    // Read by the socket's callback, which outlives any one render.
    let away = use_mut_ref(|| Rc::new(Cell::new(false)));
    away.borrow().set(!props.available);
    {
        let (dispatch, connection, socket, away) =
            (inbox.dispatcher(), connection.clone(), socket.clone(), away.borrow().clone());
        let onsessionended = props.onsessionended.clone();
        use_effect_with(props.workspace.id.clone(), move |site| {
            let frames = socket.clone();
            let s = ChatSocket::open(
                socket_url(&format!("/api/v1/workspaces/{site}/connect")),
                Callback::from(move |msg: ServerMsg| {
                    // A new socket starts available; an agent who chose "away" stays away across
                    // reconnects.
                    if matches!(msg, ServerMsg::Inbox { .. }) && away.get() {
                        if let Some(s) = frames.borrow().as_ref() {
                            s.frame(&ClientMsg::Presence { away: true });
                        }
                    }
                    dispatch.dispatch(InboxAction::Server(msg));
                }),
                Callback::from(move |c: Connection| {
                    // The edge ended the socket for good. If the session itself ended (signed out
                    // elsewhere, revoked, the password changed), nothing here works any more:
                    // back to the sign-in page, saying why.
                    if c == Connection::Ended {
                        let onsessionended = onsessionended.clone();
                        wasm_bindgen_futures::spawn_local(async move {
                            if let Err(e) = client::http::get_json("/api/v1/me", Me::from_json).await {
                                if e.error == shared::ErrorCode::Unauthorized {
                                    onsessionended.emit(());
                                }
                            }
                        });
                    }
                    connection.set(c)
                }),
            );
            *socket.borrow_mut() = Some(s.clone());
            move || {
                s.close();
                // The socket's callback holds this cell: emptying it frees both.
                socket.borrow_mut().take();
            }
        });
    }
    let onselect = {
        let (selected, page) = (selected.clone(), page.clone());
        Callback::from(move |id: ConversationId| {
            selected.set(Some(id));
            page.set(Page::Conversations);
        })
    };
    {
        let (arrival, onselect) = (inbox.arrival.clone(), onselect.clone());
        use_effect_with(arrival.as_ref().map(|(n, _)| *n), move |_| {
            if let Some((_, conversation)) = arrival {
                notify::alert(&conversation, onselect);
            }
        });
    }
    use_effect_with(inbox.total_unread(), |unread| {
        set_title(*unread);
        || set_title(0)
    });
    let onavailable = {
        let (onavailable, socket) = (props.onavailable.clone(), socket.clone());
        Callback::from(move |on: bool| {
            onavailable.emit(on);
            if let Some(s) = socket.borrow().as_ref() {
                s.frame(&ClientMsg::Presence { away: !on });
            }
        })
    };
    let onpage = {
        let page = page.clone();
        Callback::from(move |p: Page| page.set(p))
    };
    let workspace = &props.workspace;
    // The workspace's billing page, for an owner where the deployment bills.
    let billing = (props.me.billing && workspace.role == shared::api::Role::Owner)
        .then(|| AttrValue::from(String::from("/billing/") + workspace.id.as_str()));
    let mut links = Vec::new();
    if workspace.role != shared::api::Role::Agent {
        links.push(("Integrations", AttrValue::from(String::from("/integrations/") + workspace.id.as_str())));
    }
    links.extend(billing.clone().map(|href| ("Billing", href)));
    let me = AgentRef { email: props.me.email.clone(), name: props.me.name.clone() };
    let main = match *page {
        Page::Conversations => {
            let current = (*selected).as_ref().and_then(|id| inbox.conversations.iter().find(|c| &c.id == id));
            html! {
                <div class="desk">
                    <ConversationList site={workspace.id.clone()} me={me.email.clone()} selected={(*selected).clone()}
                        onselect={onselect.clone()} connection={*connection} />
                    { match current {
                        Some(c) => html! {
                            <ConversationView key={c.id.as_str().to_owned()} site={workspace.id.clone()} id={c.id.clone()}
                                title={c.visitor_name.clone()} visitor_email={c.visitor_email.clone()} me={me.clone()}
                                onopen={onselect.clone()} />
                        },
                        None => html! {
                            <div class="placeholder">
                                <p>{ "Select a conversation to read and reply." }</p>
                            </div>
                        },
                    } }
                </div>
            }
        }
        Page::Settings => html! {
            <div class="page"><super::settings::Settings workspace={workspace.clone()} onclosed={props.onworkspaceclosed.clone()} /></div>
        },
        Page::Team => {
            html! { <div class="page"><super::team::Team workspace={workspace.clone()} me={props.me.clone()} /></div> }
        }
        Page::Account => {
            html! { <div class="page"><super::account::Account me={props.me.clone()} onclosed={props.onclosed.clone()} /></div> }
        }
        Page::ConsentLog => {
            html! { <div class="page"><super::consent_log::ConsentLog workspace={workspace.clone()} /></div> }
        }
        Page::AuditLog => {
            html! { <div class="page"><super::audit_log::AuditLog workspace={workspace.clone()} /></div> }
        }
        Page::DataRequests => {
            html! { <div class="page"><super::data_requests::DataRequests workspace={workspace.clone()} /></div> }
        }
    };
    html! {
        <ContextProvider<crate::inbox_state::InboxContext> context={inbox.clone()}>
            <div class="inbox">
                <TopBar agent_name={props.me.name.clone()} workspaces={props.me.workspaces.clone()} workspace={workspace.clone()}
                    onworkspace={props.onworkspace.clone()} available={props.available} {onavailable} page={*page} {onpage}
                    onsignout={props.onsignout.clone()}
                    {links} />
                <main class="main">
                    if let Some(text) = &props.notice {
                        <div class="inbox-notice">
                            <p role="status">{ text }</p>
                            <button type="button" class="secondary" onclick={props.ondismiss.reform(|_: MouseEvent| ())}>{ "Dismiss" }</button>
                        </div>
                    }
                    if !inbox.notice.is_empty() {
                        <div class="inbox-notice warn">
                            <p role="status">{ inbox.notice.clone() }</p>
                            if let Some(href) = billing { <a {href}>{ "Open billing" }</a> }
                        </div>
                    }
                    { main }
                </main>
            </div>
        </ContextProvider<crate::inbox_state::InboxContext>>
    }
}

/// "(3) Inbox — Provixchat": the tab says how much is waiting even while the agent is elsewhere.
fn set_title(unread: u32) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        let title =
            if unread > 0 { format!("({unread}) Inbox — Provixchat") } else { "Inbox — Provixchat".to_owned() };
        document.set_title(&title);
    }
}
