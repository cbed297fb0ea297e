import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ExportJob',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('kind', models.CharField(max_length=80)),
                ('params', models.JSONField(blank=True, default=dict)),
                ('acting_membership_id', models.BigIntegerField(blank=True, null=True)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Being prepared'), ('ready', 'Ready'), ('failed', 'Failed'), ('expired', 'Expired')], default='queued', max_length=10)),
                ('title', models.CharField(blank=True, max_length=200)),
                ('language', models.CharField(blank=True, max_length=10)),
                ('back_url', models.CharField(blank=True, max_length=300)),
                ('filename', models.CharField(blank=True, max_length=200)),
                ('content_type', models.CharField(blank=True, max_length=100)),
                ('storage_name', models.CharField(blank=True, max_length=80)),
                ('size', models.PositiveBigIntegerField(blank=True, null=True)),
                ('error', models.CharField(blank=True, max_length=300)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('expires_at', models.DateTimeField(db_index=True)),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['requested_by', '-created_at'], name='core_export_request_222c81_idx')],
            },
        ),
    ]
