"""The trainers' domain: from what citizens really wrote to a better language model."""
