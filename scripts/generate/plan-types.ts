/** One file the generator wants on disk, with its exact content. */
export interface FileWrite {
  /** Repository-relative path. */
  path: string;
  content: string;
}
