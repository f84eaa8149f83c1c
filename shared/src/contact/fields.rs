//! The field catalog: every field a contact has, standard and custom, with its type. The contacts table,
//! CSV column mapping and (later) the sync's filter editor and field mapping all read this one list.

use super::custom::{CustomProperty, PropertyType};
use serde::{Deserialize, Serialize};

/// What kind of value a field holds; decides how it is parsed, compared and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Email,
    Phone,
    Number,
    Date,
    Boolean,
    SingleChoice,
    /// A list of short labels.
    Tags,
    /// Unix seconds, set by the server.
    Timestamp,
}

impl From<PropertyType> for FieldType {
    fn from(kind: PropertyType) -> Self {
        match kind {
            PropertyType::Text => FieldType::Text,
            PropertyType::Number => FieldType::Number,
            PropertyType::Date => FieldType::Date,
            PropertyType::Boolean => FieldType::Boolean,
            PropertyType::SingleChoice => FieldType::SingleChoice,
        }
    }
}

/// The fields every Komo contact has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandardField {
    Email,
    FirstName,
    LastName,
    Phone,
    Mobile,
    Company,
    JobTitle,
    Street,
    City,
    Region,
    Postcode,
    Country,
    DateOfBirth,
    MarketingOptIn,
    MarketingOptInAt,
    SourceHub,
    SourceCampaign,
    Tags,
    CreatedAt,
    UpdatedAt,
}

impl StandardField {
    pub const ALL: [StandardField; 20] = [
        StandardField::Email,
        StandardField::FirstName,
        StandardField::LastName,
        StandardField::Phone,
        StandardField::Mobile,
        StandardField::Company,
        StandardField::JobTitle,
        StandardField::Street,
        StandardField::City,
        StandardField::Region,
        StandardField::Postcode,
        StandardField::Country,
        StandardField::DateOfBirth,
        StandardField::MarketingOptIn,
        StandardField::MarketingOptInAt,
        StandardField::SourceHub,
        StandardField::SourceCampaign,
        StandardField::Tags,
        StandardField::CreatedAt,
        StandardField::UpdatedAt,
    ];

    /// The key used in API bodies, CSV mappings and the catalog; also the database column name.
    pub fn key(self) -> &'static str {
        self.info().0
    }

    pub fn label(self) -> &'static str {
        self.info().1
    }

    pub fn field_type(self) -> FieldType {
        self.info().2
    }

    /// Whether imports and the API may set it (created/updated are the server's own clock).
    pub fn writable(self) -> bool {
        !matches!(self, StandardField::CreatedAt | StandardField::UpdatedAt)
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    fn info(self) -> (&'static str, &'static str, FieldType) {
        use FieldType as T;
        match self {
            StandardField::Email => ("email", "Email", T::Email),
            StandardField::FirstName => ("first_name", "First name", T::Text),
            StandardField::LastName => ("last_name", "Last name", T::Text),
            StandardField::Phone => ("phone", "Phone", T::Phone),
            StandardField::Mobile => ("mobile", "Mobile", T::Phone),
            StandardField::Company => ("company", "Company", T::Text),
            StandardField::JobTitle => ("job_title", "Job title", T::Text),
            StandardField::Street => ("street", "Street", T::Text),
            StandardField::City => ("city", "City", T::Text),
            StandardField::Region => ("region", "Region", T::Text),
            StandardField::Postcode => ("postcode", "Postcode", T::Text),
            StandardField::Country => ("country", "Country", T::Text),
            StandardField::DateOfBirth => ("date_of_birth", "Date of birth", T::Date),
            StandardField::MarketingOptIn => ("marketing_opt_in", "Marketing opt-in", T::Boolean),
            StandardField::MarketingOptInAt => {
                ("marketing_opt_in_at", "Marketing opt-in at", T::Timestamp)
            }
            StandardField::SourceHub => ("source_hub", "Source hub", T::Text),
            StandardField::SourceCampaign => ("source_campaign", "Source campaign", T::Text),
            StandardField::Tags => ("tags", "Tags", T::Tags),
            StandardField::CreatedAt => ("created_at", "Created at", T::Timestamp),
            StandardField::UpdatedAt => ("updated_at", "Updated at", T::Timestamp),
        }
    }
}

/// One entry of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    pub key: String,
    pub label: String,
    pub field_type: FieldType,
    /// A workspace's custom property rather than a standard field.
    pub custom: bool,
    pub writable: bool,
    /// For single-choice fields: the allowed values.
    pub choices: Vec<String>,
}

/// Standard fields followed by the workspace's custom properties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldCatalog {
    fields: Vec<FieldDef>,
}

/// Lower-case letters and digits only, so `First Name`, `first_name` and `FirstName` compare equal.
pub fn normalise(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl FieldCatalog {
    pub fn new(custom: &[CustomProperty]) -> Self {
        let standard = StandardField::ALL.into_iter().map(|f| FieldDef {
            key: f.key().to_owned(),
            label: f.label().to_owned(),
            field_type: f.field_type(),
            custom: false,
            writable: f.writable(),
            choices: Vec::new(),
        });
        let custom = custom.iter().map(|p| FieldDef {
            key: p.name.as_str().to_owned(),
            label: p.label.clone(),
            field_type: p.kind.into(),
            custom: true,
            writable: true,
            choices: p.choices.clone(),
        });
        Self {
            fields: standard.chain(custom).collect(),
        }
    }

    pub fn fields(&self) -> &[FieldDef] {
        &self.fields
    }

    pub fn find(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The writable field a column header most likely means, matching key or label while ignoring case,
    /// spaces and punctuation (so a file's "E-mail Address" does not match, but "E-mail" and "Email" do).
    pub fn match_header(&self, header: &str) -> Option<&FieldDef> {
        let wanted = normalise(header);
        if wanted.is_empty() {
            return None;
        }
        self.fields
            .iter()
            .filter(|f| f.writable)
            .find(|f| normalise(&f.key) == wanted || normalise(&f.label) == wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_round_trip() {
        for field in StandardField::ALL {
            assert_eq!(StandardField::from_key(field.key()), Some(field));
        }
    }

    #[test]
    fn headers_match_fields_whatever_their_case_and_punctuation() {
        let custom = CustomProperty::parse("shoe_size", "Shoe size", "number", "").expect("def");
        let catalog = FieldCatalog::new(&[custom]);
        let key = |h: &str| catalog.match_header(h).map(|f| f.key.as_str());
        assert_eq!(key("E-mail"), Some("email"));
        assert_eq!(key("First Name"), Some("first_name"));
        assert_eq!(key("DOB"), None);
        assert_eq!(key("Shoe Size"), Some("shoe_size"));
        assert_eq!(
            key("Created at"),
            None,
            "server-owned fields are not importable"
        );
        assert!(catalog.find("shoe_size").is_some_and(|f| f.custom));
    }
}
