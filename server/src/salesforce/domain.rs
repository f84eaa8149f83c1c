//! Which hosts we will send a customer's credentials to (doc §1.6). Checked before any request leaves the
//! server, and again on the `instance_url` a token response names, so a typo or a hostile value can never
//! aim our server at an internal address (SSRF) or hand a client secret to someone else.

use std::fmt;
use std::net::IpAddr;

/// A Salesforce org's API origin that passed [`OrgDomain::parse`]: `https://{host}` for a real org, or one
/// of the extra origins an operator allowed explicitly (how tests and the demo reach the simulator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDomain {
    /// What we store and show: the bare host for a real org, the full origin for an allowed extra one.
    name: String,
    base_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("enter your org's My Domain, e.g. acme.my.salesforce.com")]
    Empty,
    #[error("use https: Salesforce credentials are only sent over an encrypted connection")]
    NotHttps,
    #[error("enter only the domain name, without a path, query, port or user name (got \"{0}\")")]
    NotAHostOnly(String),
    #[error("an IP address is not a Salesforce domain; enter your org's My Domain, e.g. acme.my.salesforce.com")]
    IpAddress,
    #[error("\"{0}\" is not a Salesforce API domain; it must end in .my.salesforce.com (find it in Setup → My Domain)")]
    NotSalesforce(String),
}

impl OrgDomain {
    /// Parses what a person typed in "CRM Domain Name".
    ///
    /// Accepts `acme.my.salesforce.com`, with or without `https://` and a trailing `/`, in any case; maps the
    /// Lightning host people often copy from the browser (`acme.lightning.force.com`) to its API host.
    /// `extra_allowed` lists exact origins (`http://127.0.0.1:4321`) an operator allowed on purpose.
    ///
    /// # Errors
    /// A [`DomainError`] that says what is wrong in plain words.
    pub fn parse(raw: &str, extra_allowed: &[String]) -> Result<Self, DomainError> {
        let trimmed = raw.trim().trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(DomainError::Empty);
        }
        if let Some(origin) = extra_allowed
            .iter()
            .find(|o| o.eq_ignore_ascii_case(trimmed))
        {
            return Ok(Self {
                name: origin.to_ascii_lowercase(),
                base_url: origin.to_ascii_lowercase(),
            });
        }
        let lower = trimmed.to_ascii_lowercase();
        let host = match lower.split_once("://") {
            Some(("https", rest)) => rest,
            Some(_) => return Err(DomainError::NotHttps),
            None => lower.as_str(),
        };
        if host.is_empty() || host.contains(['/', '?', '#', '@', ':', '\\', ' ', '%', '[', ']']) {
            return Err(DomainError::NotAHostOnly(trimmed.to_owned()));
        }
        if host.parse::<IpAddr>().is_ok()
            || host
                .split('.')
                .all(|part| part.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(DomainError::IpAddress);
        }
        let host = lightning_to_api_host(host);
        if is_salesforce_api_host(&host) {
            Ok(Self {
                base_url: format!("https://{host}"),
                name: host,
            })
        } else {
            Err(DomainError::NotSalesforce(host))
        }
    }

    /// The stored, displayed form.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where API calls go: `https://{host}` (or the allowed extra origin).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The page of record `id` in the org, `https://{host}/{id}`, which Salesforce redirects to the record
    /// in whichever UI the person uses. `None` unless `id` looks like a Salesforce id (15 or 18 letters
    /// and digits), so a stored value can never add a path or query of its own to the link.
    pub fn record_url(&self, id: &str) -> Option<String> {
        let looks_like_an_id =
            matches!(id.len(), 15 | 18) && id.chars().all(|c| c.is_ascii_alphanumeric());
        looks_like_an_id.then(|| format!("{}/{id}", self.base_url))
    }
}

impl fmt::Display for OrgDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// `x.lightning.force.com` → `x.my.salesforce.com`; `x.sandbox.lightning.force.com` →
/// `x.sandbox.my.salesforce.com`. Anything else is returned unchanged.
fn lightning_to_api_host(host: &str) -> String {
    match host.strip_suffix(".lightning.force.com") {
        Some(prefix) => format!("{prefix}.my.salesforce.com"),
        None => host.to_owned(),
    }
}

/// A full match of
/// `^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(--[a-z0-9-]+)?(\.(sandbox|develop|scratch|trailblaze|demo|patch))?\.my\.salesforce\.com$`
/// written out by hand: small, and no regex engine on the request path.
fn is_salesforce_api_host(host: &str) -> bool {
    let Some(rest) = host.strip_suffix(".my.salesforce.com") else {
        return false;
    };
    let (name, partition) = match rest.split_once('.') {
        Some((name, partition)) => (name, Some(partition)),
        None => (rest, None),
    };
    let partition_ok = partition.is_none_or(|p| {
        matches!(
            p,
            "sandbox" | "develop" | "scratch" | "trailblaze" | "demo" | "patch"
        )
    });
    let (my_domain, sandbox) = match name.split_once("--") {
        Some((d, s)) => (d, Some(s)),
        None => (name, None),
    };
    let label_ok = |s: &str, max: usize| {
        !s.is_empty()
            && s.len() <= max
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    let domain_ok =
        label_ok(my_domain, 63) && !my_domain.starts_with('-') && !my_domain.ends_with('-');
    let sandbox_ok = sandbox.is_none_or(|s| label_ok(s, 63));
    partition_ok && domain_ok && sandbox_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<OrgDomain, DomainError> {
        OrgDomain::parse(raw, &[])
    }

    #[test]
    fn real_org_hosts_are_accepted_and_normalised() {
        let cases = [
            ("acme.my.salesforce.com", "acme.my.salesforce.com"),
            ("https://ACME.my.salesforce.com/", "acme.my.salesforce.com"),
            (
                "  acme-corp.my.salesforce.com ",
                "acme-corp.my.salesforce.com",
            ),
            (
                "acme--uat.sandbox.my.salesforce.com",
                "acme--uat.sandbox.my.salesforce.com",
            ),
            (
                "acme-dev-ed.develop.my.salesforce.com",
                "acme-dev-ed.develop.my.salesforce.com",
            ),
            (
                "broth-scorpio-4351-dev-ed.scratch.my.salesforce.com",
                "broth-scorpio-4351-dev-ed.scratch.my.salesforce.com",
            ),
            ("acme.lightning.force.com", "acme.my.salesforce.com"),
            (
                "acme--uat.sandbox.lightning.force.com",
                "acme--uat.sandbox.my.salesforce.com",
            ),
        ];
        for (raw, host) in cases {
            let domain = parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(domain.name(), host, "{raw}");
            assert_eq!(domain.base_url(), format!("https://{host}"), "{raw}");
        }
    }

    #[test]
    fn record_links_go_to_the_org_and_only_for_salesforce_shaped_ids() {
        let org = parse("acme.my.salesforce.com").expect("valid");
        assert_eq!(
            org.record_url("003000000000001AAA").as_deref(),
            Some("https://acme.my.salesforce.com/003000000000001AAA")
        );
        assert_eq!(
            org.record_url("003000000000001").as_deref(),
            Some("https://acme.my.salesforce.com/003000000000001")
        );
        for bad in [
            "",
            "003",
            "../../evil.example",
            "003000000000001?x=",
            "003000000000001A",
        ] {
            assert_eq!(org.record_url(bad), None, "{bad}");
        }
        let sim = OrgDomain::parse("http://127.0.0.1:4321", &["http://127.0.0.1:4321".into()])
            .expect("allowed");
        assert_eq!(
            sim.record_url("003000000000001AAA").as_deref(),
            Some("http://127.0.0.1:4321/003000000000001AAA")
        );
    }

    #[test]
    fn everything_else_is_refused_with_a_reason() {
        type Check = fn(&DomainError) -> bool;
        let cases: [(&str, Check); 16] = [
            ("", |e| *e == DomainError::Empty),
            ("localhost", |e| matches!(e, DomainError::NotSalesforce(_))),
            ("169.254.169.254", |e| *e == DomainError::IpAddress),
            ("127.0.0.1", |e| *e == DomainError::IpAddress),
            ("2130706433", |e| *e == DomainError::IpAddress),
            ("[::1]", |e| matches!(e, DomainError::NotAHostOnly(_))),
            ("evil.example", |e| {
                matches!(e, DomainError::NotSalesforce(_))
            }),
            ("x.my.salesforce.com.evil.example", |e| {
                matches!(e, DomainError::NotSalesforce(_))
            }),
            ("x.my.salesforce.com@evil.example", |e| {
                matches!(e, DomainError::NotAHostOnly(_))
            }),
            ("evil.example#x.my.salesforce.com", |e| {
                matches!(e, DomainError::NotAHostOnly(_))
            }),
            ("x.my.salesforce.com:8443", |e| {
                matches!(e, DomainError::NotAHostOnly(_))
            }),
            ("x.my.salesforce.com/services", |e| {
                matches!(e, DomainError::NotAHostOnly(_))
            }),
            ("http://x.my.salesforce.com", |e| {
                *e == DomainError::NotHttps
            }),
            ("login.salesforce.com", |e| {
                matches!(e, DomainError::NotSalesforce(_))
            }),
            ("x.my.site.com", |e| {
                matches!(e, DomainError::NotSalesforce(_))
            }),
            ("-x.my.salesforce.com", |e| {
                matches!(e, DomainError::NotSalesforce(_))
            }),
        ];
        for (raw, expected) in cases {
            match parse(raw) {
                Ok(d) => panic!("{raw:?} was accepted as {d}"),
                Err(e) => assert!(expected(&e), "{raw:?}: unexpected {e:?}"),
            }
        }
    }

    #[test]
    fn extra_origins_are_allowed_only_when_configured_and_only_exactly() {
        let extra = vec!["http://127.0.0.1:4321".to_owned()];
        let sim = OrgDomain::parse("http://127.0.0.1:4321/", &extra).expect("allowed");
        assert_eq!(sim.base_url(), "http://127.0.0.1:4321");
        assert!(OrgDomain::parse("http://127.0.0.1:4322", &extra).is_err());
        assert!(OrgDomain::parse("http://127.0.0.1:4321", &[]).is_err());
    }
}
