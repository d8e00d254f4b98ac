use shared::api::WorkspaceRef;
use shared::SiteId;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// What the main area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Conversations,
    Settings,
    Team,
    Account,
    ConsentLog,
    AuditLog,
    DataRequests,
}

impl Page {
    pub fn label(self) -> &'static str {
        match self {
            Page::Conversations => "Conversations",
            Page::Settings => "Settings",
            Page::Team => "Team",
            Page::Account => "Account",
            Page::ConsentLog => "Consent log",
            Page::AuditLog => "Audit log",
            Page::DataRequests => "Data requests",
        }
    }

    /// The pages this agent may open: settings, the consent and audit logs and data requests are
    /// for owners and admins.
    pub fn for_workspace(workspace: &WorkspaceRef) -> Vec<Page> {
        let manage = workspace.can_manage();
        [
            (Page::Conversations, true),
            (Page::Settings, manage),
            (Page::Team, true),
            (Page::Account, true),
            (Page::ConsentLog, manage),
            (Page::AuditLog, manage),
            (Page::DataRequests, manage),
        ]
        .into_iter()
        .filter_map(|(page, allowed)| allowed.then_some(page))
        .collect()
    }
}

#[derive(Properties, PartialEq)]
pub struct TopBarProps {
    pub agent_name: AttrValue,
    pub workspaces: Vec<WorkspaceRef>,
    pub workspace: WorkspaceRef,
    pub onworkspace: Callback<SiteId>,
    /// Whether the agent is available (visitors see the team online) or away.
    pub available: bool,
    pub onavailable: Callback<bool>,
    pub page: Page,
    pub onpage: Callback<Page>,
    pub onsignout: Callback<()>,
    /// The workspace's pages the edge writes (Integrations for owners and admins, Billing for
    /// owners where the deployment bills): label and address.
    pub links: Vec<(&'static str, AttrValue)>,
}

/// The bar across the top: product, workspace (a choice when the agent has several), the
/// pages, the agent's availability, and signing out.
#[function_component(TopBar)]
pub fn top_bar(props: &TopBarProps) -> Html {
    let onworkspace = {
        let onworkspace = props.onworkspace.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Ok(site) = SiteId::parse(&value) {
                onworkspace.emit(site);
            }
        })
    };
    let ontoggle = {
        let (onavailable, available) = (props.onavailable.clone(), props.available);
        Callback::from(move |_: MouseEvent| onavailable.emit(!available))
    };
    let onsignout = {
        let onsignout = props.onsignout.clone();
        Callback::from(move |_: MouseEvent| onsignout.emit(()))
    };
    html! {
        <header class="topbar">
            <strong class="brand">{ "Provixchat" }</strong>
            if props.workspaces.len() > 1 {
                <select class="workspace-select" aria-label="Workspace" onchange={onworkspace}>
                    { for props.workspaces.iter().map(|w| html! {
                        <option value={w.id.to_string()} selected={w.id == props.workspace.id}>{ &w.name }</option>
                    }) }
                </select>
            } else {
                <span class="workspace">{ &props.workspace.name }</span>
            }
            <nav class="pages" aria-label="Workspace">
                { for Page::for_workspace(&props.workspace).into_iter().map(|page| {
                    let onclick = {
                        let onpage = props.onpage.clone();
                        Callback::from(move |_: MouseEvent| onpage.emit(page))
                    };
                    let current = page == props.page;
                    html! {
                        <button type="button" aria-current={current.then_some("page")} {onclick}>{ page.label() }</button>
                    }
                }) }
                { for props.links.iter().map(|(label, href)| html! { <a href={href.clone()}>{ *label }</a> }) }
            </nav>
            <button type="button" role="switch" class="switch" aria-checked={props.available.to_string()} onclick={ontoggle}
                title={if props.available { "Visitors see the team online" } else { "You are away: visitors don't count you as online" }}>
                <span class="track" aria-hidden="true"><span class="thumb"></span></span>
                { "Available" }
            </button>
            <span class="me">{ &props.agent_name }</span>
            <button type="button" class="signout" onclick={onsignout}>{ "Sign out" }</button>
        </header>
    }
}
