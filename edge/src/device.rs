//! What a user agent string says about the browser, system and device, read with `woothee` (a
//! maintained parser with the shared Woothee project's test data), never with home-made patterns.

use woothee::parser::Parser;

/// Longest browser, system or category name kept: the user agent is whatever the client says,
/// and woothee copies version numbers out of it as they are ("Chrome/999…9").
pub const MAX_DEVICE_CHARS: usize = 40;

/// The parts of a user agent worth showing: no version beyond the browser's major one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub browser: String,
    pub os: String,
    /// `pc`, `smartphone`, `mobilephone`, `appliance`, `crawler` or `misc`.
    pub category: String,
}

impl Device {
    pub fn parse(user_agent: &str) -> Option<Device> {
        let r = Parser::new().parse(user_agent)?;
        let major = r.version.split('.').next().unwrap_or_default();
        let browser =
            if major.is_empty() || r.version == "UNKNOWN" { r.name.to_owned() } else { format!("{} {major}", r.name) };
        let capped = |s: &str| s.chars().take(MAX_DEVICE_CHARS).collect();
        Some(Device { browser: capped(&browser), os: capped(r.os), category: capped(r.category) })
    }

    /// "Chrome 156 on Linux", as a session list shows it.
    pub fn label(user_agent: &str) -> String {
        match Device::parse(user_agent) {
            Some(d) if d.browser != "UNKNOWN" => {
                format!("{} on {}", d.browser, d.os.replace("UNKNOWN", "an unknown system"))
            }
            _ => "Unknown browser".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_named() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(Device::label(chrome), "Chrome 156 on Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        let d = Device::parse(iphone).unwrap();
        assert_eq!((d.os.as_str(), d.category.as_str()), ("iPhone", "smartphone"));
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(Device::label(firefox), "Firefox 128 on Windows 10");
    }

    #[test]
    fn what_a_user_agent_says_is_bounded() {
        let huge = format!("Mozilla/5.0 (X11; Linux x86_64) Chrome/{}.0 Safari/537.36", "9".repeat(5000));
        let d = Device::parse(&huge).unwrap();
        assert!(d.browser.starts_with("Chrome 999"), "{}", d.browser);
        assert!([&d.browser, &d.os, &d.category].iter().all(|s| s.chars().count() <= MAX_DEVICE_CHARS));
        assert!(Device::label(&huge).chars().count() <= 2 * MAX_DEVICE_CHARS + 4);
    }

    #[test]
    fn nonsense_is_unknown() {
        assert_eq!(Device::label(""), "Unknown browser");
        assert!(Device::label("curl/8.0").contains("curl"), "tools are named too");
    }
}
