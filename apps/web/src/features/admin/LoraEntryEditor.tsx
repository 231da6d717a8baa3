import { useState, type FormEvent } from 'react';
import type { LoraAccess, LoraAdminView, LoraPatch } from '@mediagen/contract';
import { patchLora } from '../../api/loras.ts';
import { FieldShell } from '../../components/FieldShell.tsx';
import { readImageFile } from '../generate/readImageFile.ts';
import { useI18n } from '../../i18n/useI18n.ts';

/** "a, b ,c" → ["a", "b", "c"] */
export const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Edits one catalog entry: trigger words, description, access and users, download URL and checksum, preview. */
export function LoraEntryEditor({
  entry,
  onSaved,
  onError,
}: {
  entry: LoraAdminView;
  onSaved: () => void;
  onError: (err: unknown) => void;
}) {
  const { t } = useI18n();
  const id = (k: string): string => `l-${entry.name}-${k}`;
  const [words, setWords] = useState(entry.trigger_words.join(', '));
  const [description, setDescription] = useState(entry.description);
  const [access, setAccess] = useState<LoraAccess>(entry.access);
  const [users, setUsers] = useState(entry.users.join(', '));
  const [source, setSource] = useState(entry.source_url ?? '');
  const [sha, setSha] = useState(entry.sha256 ?? '');
  const [preview, setPreview] = useState<string | undefined>(undefined);

  const save = (e: FormEvent): void => {
    e.preventDefault();
    const body: LoraPatch = {
      trigger_words: splitList(words),
      description,
      access,
      users: splitList(users),
      source_url: source.trim() || null,
      sha256: sha.trim() || null,
      ...(preview ? { preview_image: preview } : {}),
    };
    patchLora(entry.name, body).then(onSaved, onError);
  };

  return (
    <form className="inline-form" onSubmit={save} noValidate data-testid={`lora-edit-${entry.name}`}>
      <FieldShell id={id('words')} label={t('adminLoras.triggerWords')}>
        <input id={id('words')} value={words} onChange={(e) => setWords(e.target.value)} />
      </FieldShell>
      <FieldShell id={id('desc')} label={t('adminLoras.description')}>
        <input id={id('desc')} value={description} onChange={(e) => setDescription(e.target.value)} />
      </FieldShell>
      <FieldShell id={id('access')} label={t('adminLoras.access')}>
        <select
          id={id('access')}
          value={access}
          onChange={(e) =>
            setAccess(e.target.value === 'users' ? 'users' : e.target.value === 'admins' ? 'admins' : 'everyone')
          }
        >
          <option value="everyone">{t('adminLoras.access.everyone')}</option>
          <option value="users">{t('adminLoras.access.users')}</option>
          <option value="admins">{t('adminLoras.access.admins')}</option>
        </select>
      </FieldShell>
      {access === 'users' ? (
        <FieldShell id={id('users')} label={t('adminLoras.users')}>
          <input id={id('users')} value={users} onChange={(e) => setUsers(e.target.value)} />
        </FieldShell>
      ) : null}
      <FieldShell id={id('src')} label={t('adminLoras.sourceUrl')}>
        <input id={id('src')} type="url" value={source} onChange={(e) => setSource(e.target.value)} />
      </FieldShell>
      <FieldShell id={id('sha')} label={t('adminLoras.sha256')}>
        <input id={id('sha')} value={sha} onChange={(e) => setSha(e.target.value)} />
      </FieldShell>
      <FieldShell id={id('preview')} label={t('adminLoras.preview')}>
        <input
          id={id('preview')}
          type="file"
          accept="image/png,image/jpeg,image/webp"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) readImageFile(f).then((r) => setPreview(r.value), onError);
          }}
        />
      </FieldShell>
      <button type="submit" className="btn btn--small" data-testid={`lora-save-${entry.name}`}>
        {t('adminLoras.save')}
      </button>
    </form>
  );
}
