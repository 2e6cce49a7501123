//! The embedded demo registry (`catalog/demo/registry.toml`), so the system works offline.

use super::{CompanyRecord, CompanyRegistry, PersonRecord, PersonRegistry, RegistryError};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    persons: Vec<PersonRecord>,
    companies: Vec<CompanyRecord>,
}

#[derive(Debug, Clone)]
pub struct EmbeddedRegistry {
    persons: BTreeMap<String, PersonRecord>,
    companies: BTreeMap<String, CompanyRecord>,
}

impl EmbeddedRegistry {
    pub fn from_toml(text: &str) -> anyhow::Result<EmbeddedRegistry> {
        let f: RegistryFile = toml::from_str(text).map_err(|e| anyhow::anyhow!("demo registry: {e}"))?;
        for p in &f.persons {
            p.iin.parse::<crate::domain::identity::Iin>().map_err(|e| anyhow::anyhow!("demo registry {}: {e}", p.iin))?;
        }
        for c in &f.companies {
            c.bin.parse::<crate::domain::identity::Bin>().map_err(|e| anyhow::anyhow!("demo registry {}: {e}", c.bin))?;
        }
        Ok(EmbeddedRegistry {
            persons: f.persons.into_iter().map(|p| (p.iin.clone(), p)).collect(),
            companies: f.companies.into_iter().map(|c| (c.bin.clone(), c)).collect(),
        })
    }

    pub fn demo() -> anyhow::Result<EmbeddedRegistry> {
        EmbeddedRegistry::from_toml(include_str!("../../catalog/demo/registry.toml"))
    }
}

impl PersonRegistry for EmbeddedRegistry {
    fn find_person(&self, iin: &str) -> Result<PersonRecord, RegistryError> {
        self.persons.get(iin).cloned().ok_or(RegistryError::NotFound)
    }
}

impl CompanyRegistry for EmbeddedRegistry {
    fn find_company(&self, bin: &str) -> Result<CompanyRecord, RegistryError> {
        self.companies.get(bin).cloned().ok_or(RegistryError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_registry_has_the_demo_people() {
        let r = EmbeddedRegistry::demo().expect("registry");
        assert_eq!(r.find_person("850305401237").expect("aigerim").first_name, "Әйгерім");
        assert_eq!(r.find_person("700303400129"), Err(RegistryError::NotFound));
        assert!(r.find_company("050340001235").is_ok());
    }
}
