//! Yearly data at run time: loading the catalog and templates (compiled in, overridden by
//! `catalog_dir` / `templates_dir`), the check for a missing МРП or working calendar of
//! the current or next year (at start and daily while serving: a warning, the gauge
//! `ruqsat_yearly_data_missing`, and `/health`), and the error of a paid request in a year
//! without an МРП.

use crate::catalog_source::{self, RuntimeData};
use crate::config::Config;

/// Loads and validates the catalog and templates of `config`, logging which files came
/// from the override directories and which of their files are not read.
pub fn load_data(config: &Config) -> anyhow::Result<RuntimeData> {
    let data = catalog_source::load(
        config.catalog_dir.as_deref(),
        config.templates_dir.as_deref(),
    )?;
    for (file, replaces) in &data.sources.from_dirs {
        let how = if *replaces {
            "replaces the compiled-in file"
        } else {
            "added to the compiled-in files"
        };
        tracing::info!(%file, "data file {how}");
    }
    for file in &data.sources.ignored {
        tracing::warn!(%file, "not a file Ruqsat reads: ignored");
    }
    Ok(data)
}
