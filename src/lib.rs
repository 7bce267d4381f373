pub mod finding;
pub mod schema;
pub mod shape;
pub mod yaml;
