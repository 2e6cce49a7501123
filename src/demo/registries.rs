//! The embedded demo registry (`catalog/demo/registry.toml`), so the system works offline.
//! Every IIN/BIN in the file is validated with `domain::identity`, and each person's birth
//! date must agree with the one encoded in the IIN.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::identity::{Bin, Iin};
use crate::registries::{
    is_registry_key, CompanyRecord, CompanyRegistry, PersonRecord, PersonRegistry, RegistryError,
};

/// The embedded demo data.
pub const DEMO_REGISTRY_TOML: &str = include_str!("../../catalog/demo/registry.toml");

/// The demo registry file is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("demo registry: {0}")]
pub struct RegistryDataError(pub String);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    #[serde(default)]
    persons: Vec<PersonRecord>,
    #[serde(default)]
    companies: Vec<CompanyRecord>,
}

/// An in-memory ГБД ФЛ + ГБД ЮЛ.
#[derive(Debug, Clone, Default)]
pub struct EmbeddedRegistry {
    persons: BTreeMap<String, PersonRecord>,
    companies: BTreeMap<String, CompanyRecord>,
}

impl EmbeddedRegistry {
    pub fn from_toml(text: &str) -> Result<EmbeddedRegistry, RegistryDataError> {
        let f: RegistryFile =
            toml::from_str(text).map_err(|e| RegistryDataError(e.message().to_owned()))?;
        let mut reg = EmbeddedRegistry::default();
        for p in f.persons {
            let iin = Iin::parse(&p.iin)
                .map_err(|e| RegistryDataError(format!("person {}: {e}", p.iin)))?;
            if iin.birth_date() != p.birth_date {
                return Err(RegistryDataError(format!(
                    "person {}: birth_date {} differs from the IIN's {}",
                    p.iin,
                    p.birth_date,
                    iin.birth_date()
                )));
            }
            for parent in &p.parents {
                Iin::parse(parent).map_err(|e| {
                    RegistryDataError(format!("person {} parent {parent}: {e}", p.iin))
                })?;
            }
            if reg.persons.insert(p.iin.clone(), p.clone()).is_some() {
                return Err(RegistryDataError(format!("person {} listed twice", p.iin)));
            }
        }
        for c in f.companies {
            Bin::parse(&c.bin).map_err(|e| RegistryDataError(format!("company {}: {e}", c.bin)))?;
            if let Some(head) = &c.head_iin {
                Iin::parse(head).map_err(|e| {
                    RegistryDataError(format!("company {} head {head}: {e}", c.bin))
                })?;
            }
            if reg.companies.insert(c.bin.clone(), c.clone()).is_some() {
                return Err(RegistryDataError(format!("company {} listed twice", c.bin)));
            }
        }
        Ok(reg)
    }

    /// The embedded demo registry (`catalog/demo/registry.toml`).
    pub fn demo() -> Result<EmbeddedRegistry, RegistryDataError> {
        EmbeddedRegistry::from_toml(DEMO_REGISTRY_TOML)
    }

    pub fn persons(&self) -> impl Iterator<Item = &PersonRecord> {
        self.persons.values()
    }

    pub fn companies(&self) -> impl Iterator<Item = &CompanyRecord> {
        self.companies.values()
    }
}

impl PersonRegistry for EmbeddedRegistry {
    fn find_person(&self, iin: &str) -> Result<PersonRecord, RegistryError> {
        if !is_registry_key(iin) {
            return Err(RegistryError::NotFound);
        }
        self.persons
            .get(iin)
            .cloned()
            .ok_or(RegistryError::NotFound)
    }
}

impl CompanyRegistry for EmbeddedRegistry {
    fn find_company(&self, bin: &str) -> Result<CompanyRecord, RegistryError> {
        if !is_registry_key(bin) {
            return Err(RegistryError::NotFound);
        }
        self.companies
            .get(bin)
            .cloned()
            .ok_or(RegistryError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::identity::{BinDivision, BinKind, Sex};

    fn demo() -> EmbeddedRegistry {
        EmbeddedRegistry::demo().expect("embedded demo registry parses")
    }

    #[test]
    fn demo_registry_has_the_demo_people() {
        let r = demo();
        // Referenced by src/demo/flows.rs, catalog/demo/users.toml, tests/api/common and README.
        let aigerim = r.find_person("850305401237").expect("aigerim");
        assert_eq!(aigerim.first_name, "Әйгерім");
        assert_eq!(
            r.find_person("900712304567").map(|p| p.first_name),
            Ok("Даулет".to_owned())
        );
        assert_eq!(
            r.find_person("150606600013").map(|p| p.last_name),
            Ok("Омарова".to_owned())
        );
        assert!(r.find_person("881122307898").is_ok());
        assert!(r.find_person("101020500015").is_ok());
        let clinic = r.find_company("050340001235").expect("clinic LLP");
        assert_eq!(clinic.head_iin.as_deref(), Some("881122307898"));
        assert!(r.find_company("100740004563").is_ok());
        assert!(r.persons().count() >= 8);
        assert!(r.companies().count() >= 3);
    }

    #[test]
    fn not_found_and_malformed_keys() {
        let r = demo();
        // A valid IIN that is not in the registry (R-000-44 path).
        assert_eq!(r.find_person("700303400129"), Err(RegistryError::NotFound));
        assert!(Iin::parse("700303400129").is_ok());
        assert_eq!(r.find_person(""), Err(RegistryError::NotFound));
        assert_eq!(r.find_person(" 850305401237"), Err(RegistryError::NotFound));
        assert_eq!(
            r.find_company("050340001235x"),
            Err(RegistryError::NotFound)
        );
        // A person's IIN is not a company key and vice versa.
        assert_eq!(r.find_company("850305401237"), Err(RegistryError::NotFound));
    }

    #[test]
    fn every_demo_identifier_is_valid_and_consistent() {
        let r = demo();
        let mut kazakh_letters = String::new();
        for p in r.persons() {
            let iin = Iin::parse(&p.iin).expect("valid IIN");
            assert_eq!(iin.birth_date(), p.birth_date);
            kazakh_letters.push_str(&p.full_name());
        }
        for c in r.companies() {
            let bin = Bin::parse(&c.bin).expect("valid BIN");
            assert!(matches!(bin.kind(), BinKind::ResidentLegalEntity));
            if let Some(h) = &c.head_iin {
                assert!(
                    r.find_person(h).is_ok(),
                    "head {h} of {} is a demo person",
                    c.bin
                );
            }
            kazakh_letters.push_str(&c.name);
        }
        for ch in ['ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ', 'і'] {
            assert!(
                kazakh_letters.to_lowercase().contains(ch),
                "demo names should exercise the Kazakh letter {ch}"
            );
        }
        // The branch of the clinic LLP.
        assert!(r
            .companies()
            .filter_map(|c| Bin::parse(&c.bin).ok())
            .any(|b| b.division() == BinDivision::Branch));
        // Parent and disabled child pair (004) and a child patient under 16 (000, G-20).
        let child = Iin::parse("150606600013").expect("child IIN");
        assert_eq!(child.sex(), Sex::Female);
    }

    #[test]
    fn bad_registry_files_are_rejected() {
        let person = |iin: &str, birth: &str| {
            format!(
                "[[persons]]\niin = \"{iin}\"\nlast_name = \"А\"\nfirst_name = \"Б\"\nbirth_date = \"{birth}\"\n"
            )
        };
        assert!(EmbeddedRegistry::from_toml(&person("850412401239", "1985-04-12")).is_ok());
        assert!(EmbeddedRegistry::from_toml(&person("850412401238", "1985-04-12")).is_err());
        assert!(EmbeddedRegistry::from_toml(&person("850412401239", "1985-04-13")).is_err());
        let twice = format!(
            "{}{}",
            person("850412401239", "1985-04-12"),
            person("850412401239", "1985-04-12")
        );
        assert!(EmbeddedRegistry::from_toml(&twice).is_err());
        assert!(EmbeddedRegistry::from_toml(
            "[[companies]]\nbin = \"150940001237\"\nname = \"x\"\nlegal_address = \"y\""
        )
        .is_err());
        assert!(EmbeddedRegistry::from_toml("[[companies]]\nbin = \"150940001238\"\nname = \"x\"\nlegal_address = \"y\"\nhead_iin = \"1\"").is_err());
        assert!(EmbeddedRegistry::from_toml("other = 1").is_err());
    }
}
