"""The Global NEV Brand Evaluation Index: shipped methodology, data, editions and coverage rules."""
