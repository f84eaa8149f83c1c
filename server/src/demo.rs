//! Demo data. Set `KOMO_DEMO=1` and the very first start (the one that creates the first workspace) also
//! fills that workspace with [`DEMO_CONTACTS`] made-up contacts, so a newcomer has something to look at
//! and sync. Later starts never add more. The data comes from the `fake` crate with a fixed seed, so
//! every demo database holds the same people; emails use `.example` domains, so none is a real mailbox.

pub mod org;

use crate::storage::{Storage, StorageError, WorkspaceId};
use fake::faker::address::en::{CityName, PostCode, StateName, StreetName};
use fake::faker::company::en::CompanyName;
use fake::faker::job::en::Title;
use fake::faker::name::en::{FirstName, LastName};
use fake::faker::phone_number::en::{CellNumber, PhoneNumber};
use fake::rand::rngs::StdRng;
use fake::rand::{Rng, SeedableRng};
use fake::Fake;
use shared::contact::{ContactInput, NewContact};

/// How many contacts the demo adds.
pub const DEMO_CONTACTS: usize = 3_000;
const SEED: u64 = 0x6b6f_6d6f; // "komo"

const COUNTRIES: [&str; 5] = [
    "Australia",
    "New Zealand",
    "United Kingdom",
    "United States",
    "Canada",
];
const HUBS: [&str; 3] = ["Komo Events", "Komo Loyalty", "Komo Competitions"];
const CAMPAIGNS: [&str; 4] = [
    "Summer Giveaway",
    "Spring Trivia",
    "Member Rewards",
    "Festival Quiz",
];
const TAGS: [&str; 5] = ["vip", "newsletter", "trivia", "early-bird", "partner"];

/// Whether `KOMO_DEMO` asks for demo data (`1`, `true` or `yes`).
pub fn requested() -> bool {
    std::env::var("KOMO_DEMO")
        .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
}

/// Called once at start-up: seeds the first workspace when this start created it and `KOMO_DEMO` is set.
///
/// # Errors
/// Database faults.
pub async fn seed_on_first_start(storage: &Storage, first_start: bool) -> Result<(), StorageError> {
    if !requested() {
        return Ok(());
    }
    if !first_start {
        tracing::info!("KOMO_DEMO is set, but demo contacts are only added on the first start");
        return Ok(());
    }
    let Some(workspace) = storage.first_workspace().await? else {
        return Ok(());
    };
    let saved = seed(storage, workspace, DEMO_CONTACTS).await?;
    tracing::info!(contacts = saved, "added demo contacts");
    Ok(())
}

/// Upserts `count` made-up contacts into `workspace`; the same ones every time. Returns how many.
///
/// # Errors
/// Database faults.
pub async fn seed(
    storage: &Storage,
    workspace: WorkspaceId,
    count: usize,
) -> Result<usize, StorageError> {
    let contacts = demo_contacts(count);
    storage.upsert_contacts(workspace, &contacts).await?;
    Ok(contacts.len())
}

/// `count` contacts from the fixed seed. A generated value that would not parse is impossible by
/// construction; such a contact would simply be left out.
pub fn demo_contacts(count: usize) -> Vec<NewContact> {
    let mut rng = StdRng::seed_from_u64(SEED);
    (0..count)
        .filter_map(|i| NewContact::parse(demo_input(&mut rng, i), &[]).ok())
        .collect()
}

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from[rng.random_range(0..from.len())]
}

fn demo_input(rng: &mut StdRng, i: usize) -> ContactInput {
    let first: String = FirstName().fake_with_rng(rng);
    let last: String = LastName().fake_with_rng(rng);
    let company: String = CompanyName().fake_with_rng(rng);
    let slug = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    // The index keeps emails unique however often the generator repeats a name.
    let email = format!(
        "{}.{}{i}@{}.example",
        slug(&first),
        slug(&last),
        slug(&company)
    );
    let mut input = ContactInput::default();
    input.set("email", email);
    input.set("first_name", first);
    input.set("last_name", last);
    input.set("company", company);
    input.set("job_title", Title().fake_with_rng(rng));
    input.set("phone", PhoneNumber().fake_with_rng(rng));
    input.set("mobile", CellNumber().fake_with_rng(rng));
    input.set(
        "street",
        format!(
            "{} {}",
            rng.random_range(1..400),
            StreetName().fake_with_rng::<String, _>(rng)
        ),
    );
    input.set("city", CityName().fake_with_rng(rng));
    input.set("region", StateName().fake_with_rng(rng));
    input.set("postcode", PostCode().fake_with_rng(rng));
    input.set("country", pick(rng, &COUNTRIES).to_owned());
    input.set(
        "date_of_birth",
        format!(
            "{}-{:02}-{:02}",
            rng.random_range(1950..2006),
            rng.random_range(1..=12),
            rng.random_range(1..=28)
        ),
    );
    let opted_in = rng.random_bool(0.6);
    input.set("marketing_opt_in", opted_in.to_string());
    input.set("source_hub", pick(rng, &HUBS).to_owned());
    input.set("source_campaign", pick(rng, &CAMPAIGNS).to_owned());
    let tags: Vec<&str> = TAGS
        .iter()
        .copied()
        .filter(|_| rng.random_bool(0.25))
        .collect();
    input.set("tags", tags.join(","));
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_the_same_every_time_and_every_contact_is_valid() {
        let first = demo_contacts(200);
        assert_eq!(first.len(), 200, "every generated contact parses");
        assert_eq!(first, demo_contacts(200));
        let mut emails: Vec<&str> = first.iter().map(|c| c.email.as_str()).collect();
        emails.sort_unstable();
        emails.dedup();
        assert_eq!(emails.len(), 200);
    }
}
