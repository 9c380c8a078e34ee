"""The patient portal: a patient's own appointments, training log and check-ins, in Dutch or English."""
