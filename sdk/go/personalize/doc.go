// Amazon Personalize solution versions (trained models) as Pulumi resources.
package personalize
