//! Realistic fake contacts from a fixed seed, so demos and benchmarks see the
//! same org every run.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Donald",
    "Hedy",
    "Tim",
    "Katherine",
    "John",
    "Sophie",
    "Niklaus",
    "Annie",
    "Guido",
    "Mary",
    "Bjarne",
    "Karen",
    "James",
    "Joan",
    "Ada",
    "Lynn",
    "Carl",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Knuth",
    "Lamarr",
    "Berners-Lee",
    "Johnson",
    "McCarthy",
    "Wilson",
    "Wirth",
    "Easley",
    "van Rossum",
    "Keller",
    "Stroustrup",
    "Sparck Jones",
    "Gosling",
    "Clarke",
    "Conway",
    "Hoare",
    "Backus",
];
const TITLES: &[&str] = &[
    "CEO",
    "CTO",
    "VP Marketing",
    "Engineer",
    "Account Manager",
    "Buyer",
    "Analyst",
    "Director of Sales",
];
const CITIES: &[&str] = &[
    "San Francisco",
    "London",
    "Berlin",
    "Paris",
    "Toronto",
    "Sydney",
    "Tokyo",
    "Austin",
    "Dublin",
    "Oslo",
];
const DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];
const SOURCES: &[&str] = &[
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Purchased List",
    "Other",
];

/// `n` contacts as REST JSON bodies; emails are unique (`first.last.N@domain`).
pub fn fake_contacts(n: usize, seed: u64) -> impl Iterator<Item = Value> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(move |i| {
        let first = FIRST.choose(&mut rng).copied().unwrap_or("Ada");
        let last = LAST.choose(&mut rng).copied().unwrap_or("Lovelace");
        let domain = DOMAINS.choose(&mut rng).copied().unwrap_or("example.com");
        let local = format!(
            "{}.{}.{i}",
            first.to_lowercase(),
            last.to_lowercase().replace(' ', "")
        );
        json!({
            "FirstName": first,
            "LastName": last,
            "Email": format!("{local}@{domain}"),
            "Phone": format!("+1 555 {:03} {:04}", rng.gen_range(0..1000), rng.gen_range(0..10000)),
            "Title": TITLES.choose(&mut rng).copied().unwrap_or("Engineer"),
            "MailingCity": CITIES.choose(&mut rng).copied().unwrap_or("London"),
            "LeadSource": SOURCES.choose(&mut rng).copied().unwrap_or("Web"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_contacts() {
        let a: Vec<Value> = fake_contacts(5, 7).collect();
        let b: Vec<Value> = fake_contacts(5, 7).collect();
        assert_eq!(a, b);
        assert_ne!(a, fake_contacts(5, 8).collect::<Vec<_>>());
        assert!(a
            .iter()
            .all(|c| c["Email"].as_str().is_some_and(|e| e.contains('@'))));
    }
}
