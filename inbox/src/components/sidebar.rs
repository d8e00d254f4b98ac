use super::{block_visitor::BlockVisitor, contact_editor::ContactEditor, visitor_profile::VisitorProfileView};
use shared::visitor::VisitorProfile;
use shared::{AgentRef, ClientMsg, ConversationDetails, ConversationId, Email, SiteId, VisitorId};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// How long after "Save contact" the profile is fetched again: the edge has applied the frame by
/// then, and the profile's list of changes shows the new entry even if no new details arrive.
const RELOAD_AFTER_SAVE_MS: u32 = 300;

#[derive(Properties, PartialEq)]
pub struct SidebarProps {
    pub site: SiteId,
    /// The conversation beside the pane.
    pub id: ConversationId,
    /// What the team knows about the visitor and the conversation; `None` until the
    /// conversation socket has said.
    pub details: Option<ConversationDetails>,
    /// The visitor's name and email from the list, shown until the details arrive.
    pub fallback_name: AttrValue,
    #[prop_or_default]
    pub fallback_email: Option<Email>,
    /// Whether the assignee is available now (from the team's presence).
    pub assignee_online: bool,
    /// Whether the conversation socket is connected.
    pub online: bool,
    /// Frames for the conversation socket (the contact edit).
    pub onframe: Callback<ClientMsg>,
    /// Opens another of the visitor's conversations.
    pub onopen: Callback<ConversationId>,
}

/// Who the agent is talking to, beside the conversation: the visitor's name and email (a
/// mailto link, for following up after the chat), whether the site vouched for them, the
/// conversation's status and assignee, then the visitor's profile from the edge.
#[function_component(Sidebar)]
pub fn sidebar(props: &SidebarProps) -> Html {
    let details = props.details.as_ref();
    let (profile, reload) = use_visitor_profile(props.site.clone(), props.details.clone());
    let loaded = match &*profile {
        Some(Ok(p)) => Some(p),
        _ => None,
    };
    let name = details.map_or_else(|| props.fallback_name.to_string(), |d| d.visitor_name.clone());
    let email = details.map_or(props.fallback_email.as_ref(), |d| d.visitor_email.as_ref());
    let started = details.map(|d| d.started_at).filter(|at| *at > 0);
    // The profile says more (it knows the user id of an unverified identify too), but the
    // details say it first.
    let verified = loaded
        .and_then(|p| p.identity.as_ref())
        .map_or_else(|| details.and_then(|d| d.verified_id.clone()), |i| i.verified.then(|| i.id.clone()));
    let onsave = {
        let (onframe, reload) = (props.onframe.clone(), reload.clone());
        Callback::from(move |(name, email): (Option<String>, Option<String>)| {
            onframe.emit(ClientMsg::Contact { name, email, email_replies: false, transcript: false, lang: None });
            let reload = reload.clone();
            client::hooks::after(RELOAD_AFTER_SAVE_MS, move || reload.emit(()));
        })
    };
    html! {
        <aside class="visitor-pane" aria-label="Visitor">
            <header class="visitor-head">
                <div class="avatar" aria-hidden="true">{ initials(&name) }</div>
                <div class="who">
                    <h2>{ &name }</h2>
                    if let Some(id) = &verified {
                        <span class="verified" title={format!("The site proved this is its user {id}")}>{ "Verified" }</span>
                    }
                </div>
            </header>
            <ContactEditor name={loaded.and_then(|p| p.name.clone())} email={loaded.and_then(|p| p.email.clone()).or_else(|| email.cloned())}
                {onsave} online={props.online} />
            // Each term with its value in a div, so the pairs stay together when the pane
            // becomes a strip under the conversation on medium screens.
            <dl class="facts">
                <div><dt>{ "Email" }</dt>
                    <dd>{ match email {
                        Some(email) => html! { <a href={format!("mailto:{email}")}>{ email.as_str() }</a> },
                        None => html! { <span class="muted">{ "Not given yet" }</span> },
                    } }</dd></div>
                <div><dt>{ "Started" }</dt>
                    <dd>{ match started {
                        Some(at) => html! { <time>{ crate::browser::when(at) }</time> },
                        None => html! { <span class="muted">{ "—" }</span> },
                    } }</dd></div>
                <div><dt>{ "Status" }</dt><dd>{ details.map_or("—", |d| d.status.label()) }</dd></div>
                <div><dt>{ "Assignee" }</dt>
                    <dd>{ assignee(details.and_then(|d| d.assignee.as_ref()), props.assignee_online) }</dd></div>
            </dl>
            if let (Some(p), Some(visitor)) = (loaded, details.and_then(|d| d.visitor_id.clone())) {
                <BlockVisitor site={props.site.clone()} {visitor} blocked={p.blocked} onchange={reload.clone()} />
            }
            { match &*profile {
                None if details.is_some_and(|d| d.visitor_id.is_some()) => html! { <p class="muted" role="status">{ "Loading the visitor's profile…" }</p> },
                None => html! {},
                Some(Err(message)) => html! {
                    <div class="profile-error">
                        <p class="error" role="alert">{ format!("The visitor's profile did not load: {message}") }</p>
                        <button type="button" class="secondary small" onclick={reload.reform(|_: MouseEvent| ())}>{ "Try again" }</button>
                    </div>
                },
                Some(Ok(p)) => html! { <VisitorProfileView profile={p.clone()} current={props.id.clone()} onopen={props.onopen.clone()} /> },
            } }
        </aside>
    }
}

/// The profile of the conversation's visitor: fetched when the details name the visitor, again
/// whenever the details change (a contact edit, an identify) and on `reload`. The last profile
/// stays shown while a newer one loads, and an answer overtaken by a newer request is dropped.
#[hook]
fn use_visitor_profile(
    site: SiteId,
    details: Option<ConversationDetails>,
) -> (UseStateHandle<Option<Result<VisitorProfile, String>>>, Callback<()>) {
    let profile = use_state(|| None::<Result<VisitorProfile, String>>);
    let reloads = use_state(|| 0u32);
    let latest = use_mut_ref(|| Rc::new(Cell::new(0u32)));
    let shown_for = use_mut_ref(|| None::<VisitorId>);
    {
        let (profile, latest, shown_for) = (profile.clone(), latest.borrow().clone(), shown_for.clone());
        use_effect_with((site, details, *reloads), move |(site, details, _)| {
            let visitor = details.as_ref().and_then(|d| d.visitor_id.clone());
            // Another visitor's profile must not stay shown while this one loads.
            if *shown_for.borrow() != visitor {
                profile.set(None);
                *shown_for.borrow_mut() = visitor.clone();
            }
            if let Some(visitor) = visitor {
                let request = latest.get().wrapping_add(1);
                latest.set(request);
                let path = format!("/api/v1/workspaces/{site}/visitors/{visitor}");
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = client::http::get_json(&path, VisitorProfile::from_json).await.map_err(|e| e.message);
                    if latest.get() == request {
                        profile.set(Some(answer));
                    }
                });
            }
        });
    }
    // Counted outside the state: a callback kept from an older render (the timer after a save)
    // would otherwise count from its stale value and ask for a reload that changes nothing.
    let count = use_mut_ref(|| Rc::new(Cell::new(0u32))).borrow().clone();
    let reload = Callback::from(move |()| {
        count.set(count.get().wrapping_add(1));
        reloads.set(count.get());
    });
    (profile, reload)
}

fn assignee(agent: Option<&AgentRef>, online: bool) -> Html {
    match agent {
        None => html! { <span class="muted">{ "Unassigned" }</span> },
        Some(a) => html! {
            <span class="agent">
                <span class={classes!("presence-dot", online.then_some("online"))} aria-hidden="true"></span>
                { &a.name }
                <span class="muted">{ if online { " · available" } else { " · away" } }</span>
            </span>
        },
    }
}

/// Up to two initials for the avatar, from words that start with a letter ("Ana Lima" → "AL";
/// "Visitor 4F2A" → "V", since the anonymous number is not a name).
fn initials(name: &str) -> String {
    let firsts: String = name.split_whitespace().filter_map(|w| w.chars().next()).collect();
    crate::browser::upper_initials(&firsts)
}
