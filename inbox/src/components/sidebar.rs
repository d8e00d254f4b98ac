use shared::{AgentRef, ConversationDetails, Email};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SidebarProps {
    /// What the team knows about the visitor and the conversation; `None` until the
    /// conversation socket has said.
    pub details: Option<ConversationDetails>,
    /// The visitor's name and email from the list, shown until the details arrive.
    pub fallback_name: AttrValue,
    #[prop_or_default]
    pub fallback_email: Option<Email>,
    /// Whether the assignee is available now (from the team's presence).
    pub assignee_online: bool,
}

/// Who the agent is talking to, beside the conversation: the visitor's name and email (a
/// mailto link, for following up after the chat), when it started, its status and assignee.
#[function_component(Sidebar)]
pub fn sidebar(props: &SidebarProps) -> Html {
    let details = props.details.as_ref();
    let name = details.map_or_else(|| props.fallback_name.to_string(), |d| d.visitor_name.clone());
    let started = details.map(|d| d.started_at).filter(|at| *at > 0);
    html! {
        <aside class="visitor-pane" aria-label="Visitor">
            <div class="avatar" aria-hidden="true">{ initials(&name) }</div>
            <h2>{ name }</h2>
            // Each term with its value in a div, so the pairs stay together when the pane
            // becomes a strip under the conversation on medium screens.
            <dl>
                <div><dt>{ "Email" }</dt>
                    <dd>{ match details.map_or(props.fallback_email.as_ref(), |d| d.visitor_email.as_ref()) {
                        Some(email) => html! { <a href={format!("mailto:{email}")}>{ email.as_str() }</a> },
                        None => html! { <span class="muted">{ "Not given yet" }</span> },
                    } }</dd></div>
                <div><dt>{ "Started" }</dt>
                    <dd>{ match started {
                        Some(at) => html! { <time>{ format!("{}, {}", client::day(at), client::clock(at)) }</time> },
                        None => html! { <span class="muted">{ "—" }</span> },
                    } }</dd></div>
                <div><dt>{ "Status" }</dt><dd>{ details.map_or("—", |d| d.status.label()) }</dd></div>
                <div><dt>{ "Assignee" }</dt>
                    <dd>{ assignee(details.and_then(|d| d.assignee.as_ref()), props.assignee_online) }</dd></div>
            </dl>
        </aside>
    }
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
    name.split_whitespace()
        .filter_map(|w| w.chars().next().filter(|c| c.is_alphabetic()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}
