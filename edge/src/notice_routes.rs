//! The public privacy pages of a workspace: `GET /privacy/SITE` (the notice for visitors) and
//! `GET /privacy/SITE/record` (the record of processing). No sign-in: site owners link them from
//! their own policy and the banner. Rendered per request from the current settings (`notice`),
//! so a settings change shows at once; an unknown site answers 404 `unknown_site`.

use crate::error::EdgeResult;
use crate::glue::now_ms;
use crate::notice::{self, NOTICE_CSP};
use crate::router::Ctx;
use crate::settings::WorkspaceConfig;
use shared::SiteId;
use worker::Response;

type Render = fn(&SiteId, &WorkspaceConfig, i64) -> String;

impl Ctx<'_> {
    pub async fn privacy_notice(&self, site: &str) -> EdgeResult<Response> {
        self.privacy_page(site, notice::notice_page).await
    }

    pub async fn processing_record(&self, site: &str) -> EdgeResult<Response> {
        let site = self.site(site)?;
        let config = self.config(&site).await?;
        let billing = crate::billing::configured(self.env)?.is_some();
        let endpoints = crate::glue::ask(&self.webhooks(&site)?, crate::webhooks::Endpoints {}).await?;
        crate::router::html_page(notice::record_with_billing(&site, &config, now_ms(), billing, &endpoints), NOTICE_CSP)
    }

    async fn privacy_page(&self, site: &str, render: Render) -> EdgeResult<Response> {
        let site = self.site(site)?;
        let config = self.config(&site).await?;
        crate::router::html_page(render(&site, &config, now_ms()), NOTICE_CSP)
    }
}
