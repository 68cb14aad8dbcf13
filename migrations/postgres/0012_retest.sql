-- A queued retest: the evaluation whose failed items the job runs again (an owner reported a fix).
ALTER TABLE job ADD COLUMN retest_of BIGINT REFERENCES evaluation(id) ON DELETE SET NULL;
