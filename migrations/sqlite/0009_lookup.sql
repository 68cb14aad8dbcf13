-- Applications are looked up by name without regard to case (API paths, CLI, search).
CREATE INDEX application_lower_name ON application (lower(name));
