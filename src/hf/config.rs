//! Typed access to `config.json` fields, with errors that name the field and the model type.

use core::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::Family;

/// Why a `config.json` cannot be turned into a checkpoint.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's message.
        error: String,
    },
    /// The text is not JSON.
    Json(String),
    /// The JSON is not an object.
    NotAnObject,
    /// No `model_type` field.
    MissingModelType,
    /// A `model_type` this crate does not know.
    UnsupportedModelType(String),
    /// A required field is absent.
    MissingField {
        /// The config's `model_type`.
        model_type: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A field has the wrong type or an impossible value.
    InvalidField {
        /// The config's `model_type`.
        model_type: &'static str,
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: String,
        /// What it is (as JSON).
        found: String,
    },
    /// The fields contradict each other or ask for something the family cannot build.
    Unsupported {
        /// The config's `model_type`.
        model_type: &'static str,
        /// What is wrong.
        message: String,
    },
    /// One of the above, in a named file.
    InFile {
        /// The file.
        path: PathBuf,
        /// The error.
        error: Box<ConfigError>,
    },
}

impl ConfigError {
    pub(crate) fn in_file(self, path: &Path) -> ConfigError {
        ConfigError::InFile {
            path: path.to_path_buf(),
            error: Box::new(self),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let supported = Family::supported_list();
        match self {
            ConfigError::Io { path, error } => {
                write!(f, "could not read {}: {error}", path.display())
            }
            ConfigError::Json(e) => write!(f, "not valid JSON: {e}"),
            ConfigError::NotAnObject => f.write_str("a config.json must be a JSON object"),
            ConfigError::MissingModelType => write!(
                f,
                "the config has no \"model_type\" field (supported: {supported})"
            ),
            ConfigError::UnsupportedModelType(t) => write!(
                f,
                "model_type {t:?} is not supported (supported: {supported})"
            ),
            ConfigError::MissingField { model_type, field } => write!(
                f,
                "{model_type} config: required field \"{field}\" is missing"
            ),
            ConfigError::InvalidField {
                model_type,
                field,
                expected,
                found,
            } => write!(
                f,
                "{model_type} config: \"{field}\" must be {expected}, found {found}"
            ),
            ConfigError::Unsupported {
                model_type,
                message,
            } => write!(f, "{model_type} config: {message}"),
            ConfigError::InFile { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for ConfigError {}

/// A config object with its family; getters look fields up under their name or aliases
/// (transformers' `attribute_map`, e.g. GPT-2's `n_embd` = `hidden_size`).
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    pub family: Family,
    pub model_type: &'static str,
}

impl<'a> Fields<'a> {
    pub fn new(v: &'a Value) -> Result<Self, ConfigError> {
        let map = v.as_object().ok_or(ConfigError::NotAnObject)?;
        let mt = match map.get("model_type") {
            None | Some(Value::Null) => return Err(ConfigError::MissingModelType),
            Some(Value::String(s)) => s,
            Some(other) => return Err(ConfigError::UnsupportedModelType(other.to_string())),
        };
        let family = Family::from_model_type(mt)
            .ok_or_else(|| ConfigError::UnsupportedModelType(mt.clone()))?;
        Ok(Fields {
            map,
            family,
            model_type: family.model_type(),
        })
    }

    /// The first of `names` present (null counts as present).
    fn get(&self, names: &[&'static str]) -> Option<(&'static str, &'a Value)> {
        names.iter().find_map(|&n| self.map.get(n).map(|v| (n, v)))
    }

    pub fn invalid(&self, field: &'static str, expected: &str, found: &Value) -> ConfigError {
        ConfigError::InvalidField {
            model_type: self.model_type,
            field,
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }

    pub fn unsupported(&self, message: String) -> ConfigError {
        ConfigError::Unsupported {
            model_type: self.model_type,
            message,
        }
    }

    fn to_usize(&self, field: &'static str, v: &Value) -> Result<usize, ConfigError> {
        v.as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| self.invalid(field, "a non-negative integer", v))
    }

    /// A required size, at least 1.
    pub fn size(&self, names: &[&'static str]) -> Result<usize, ConfigError> {
        let (field, v) = self.get(names).ok_or(ConfigError::MissingField {
            model_type: self.model_type,
            field: names[0],
        })?;
        match self.to_usize(field, v)? {
            0 => Err(self.invalid(field, "a positive integer", v)),
            n => Ok(n),
        }
    }

    /// An optional size: absent → `default`; `null` → `None` (the field's "derive it" value);
    /// present → at least 1.
    pub fn opt_size(
        &self,
        names: &[&'static str],
        default: Option<usize>,
    ) -> Result<Option<usize>, ConfigError> {
        match self.get(names) {
            None => Ok(default),
            Some((_, Value::Null)) => Ok(None),
            Some((field, v)) => match self.to_usize(field, v)? {
                0 => Err(self.invalid(field, "a positive integer or null", v)),
                n => Ok(Some(n)),
            },
        }
    }

    /// Whether `name` is present with the value `null`.
    pub fn is_null(&self, name: &str) -> bool {
        matches!(self.map.get(name), Some(Value::Null))
    }

    pub fn bool(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.map.get(name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.invalid(name, "true or false", v)),
        }
    }

    pub fn float(&self, name: &'static str, default: f64) -> Result<f64, ConfigError> {
        match self.map.get(name) {
            None => Ok(default),
            Some(v) => match v.as_f64() {
                Some(x) if x.is_finite() && x >= 0.0 => Ok(x),
                _ => Err(self.invalid(name, "a finite non-negative number", v)),
            },
        }
    }

    /// An optional integer (`null` → `None`), e.g. `pad_token_id`.
    pub fn opt_int(
        &self,
        name: &'static str,
        default: Option<i64>,
    ) -> Result<Option<i64>, ConfigError> {
        match self.map.get(name) {
            None => Ok(default),
            Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.invalid(name, "an integer or null", v)),
        }
    }
}
